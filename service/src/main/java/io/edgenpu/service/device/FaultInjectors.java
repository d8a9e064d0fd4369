package io.edgenpu.service.device;

import io.edgenpu.scheduler.core.Request;
import io.edgenpu.scheduler.core.SchedulerListener;
import io.edgenpu.scheduler.core.StageBatch;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fault injectors of the devices, by device name, and a scheduler listener that throws on
 * demand (present only when fault injection is enabled: tests and drills).
 */
public final class FaultInjectors {
  private final Map<String, FaultInjector> byDevice = new ConcurrentHashMap<>();
  private volatile boolean listenerThrows;

  /** The injector of a device, created on first use. */
  public FaultInjector forDevice(String device) {
    return byDevice.computeIfAbsent(device, d -> new FaultInjector());
  }

  /** Every device back to a healthy backend, and the listener quiet. */
  public void clearAll() {
    byDevice.values().forEach(FaultInjector::clear);
    listenerThrows = false;
  }

  /** Makes {@link #listener()} throw on every event (true) or stay quiet (false). */
  public void listenerThrows(boolean throwing) {
    this.listenerThrows = throwing;
  }

  /**
   * A scheduler listener that, while {@link #listenerThrows(boolean)} is on, throws from the events
   * a metrics listener sees most (a request queued or finished, a batch started or ended): a
   * stand-in for a broken observer.
   */
  public SchedulerListener listener() {
    return new SchedulerListener() {
      @Override
      public void onQueued(Request r, long now) {
        maybeThrow();
      }

      @Override
      public void onBatchStart(StageBatch batch, long now) {
        maybeThrow();
      }

      @Override
      public void onStageEnd(
          String model, int stage, int size, long deviceNanos, boolean failed, long now) {
        maybeThrow();
      }

      @Override
      public void onRequestFinished(Request r, long now) {
        maybeThrow();
      }
    };
  }

  private void maybeThrow() {
    if (listenerThrows) {
      throw new IllegalStateException("injected listener failure");
    }
  }
}
