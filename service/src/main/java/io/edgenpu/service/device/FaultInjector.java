package io.edgenpu.service.device;

import io.edgenpu.scheduler.core.Accelerator;
import io.edgenpu.scheduler.core.StageOutcome;
import io.edgenpu.scheduler.loop.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Fault injection for one device's backend, for resilience tests and drills (enabled only with
 * {@code edgenpu.faults.enabled=true}): stages fail, hang, or are slowed down until {@link
 * #clear()}. Sits between the guards ({@link GuardedAccelerator}) and the real backend, so the
 * guards see the faults as they would see a broken backend. Thread-safe.
 */
public final class FaultInjector {
  /** What the backend does to each stage. */
  public enum Mode {
    NONE,
    /** every stage fails with an exception */
    FAIL,
    /** no stage answers until {@link #clear()}, which then fails the held ones */
    HANG,
    /** every stage starts after the configured delay */
    SLOW
  }

  private volatile Mode mode = Mode.NONE;
  private volatile long delayNanos;
  private final List<Consumer<StageOutcome>> hung = new ArrayList<>();

  public Mode mode() {
    return mode;
  }

  public void fail() {
    mode = Mode.FAIL;
  }

  public void hang() {
    mode = Mode.HANG;
  }

  public void slow(Duration delay) {
    delayNanos = delay.toNanos();
    mode = Mode.SLOW;
  }

  /** Back to a healthy backend; stages held by {@link Mode#HANG} are answered now, as failed. */
  public void clear() {
    mode = Mode.NONE;
    List<Consumer<StageOutcome>> release;
    synchronized (hung) {
      release = new ArrayList<>(hung);
      hung.clear();
    }
    for (Consumer<StageOutcome> done : release) {
      done.accept(StageOutcome.failed(new IllegalStateException("injected hang released"), 0));
    }
  }

  /**
   * The backend {@code inner} with this injector's faults applied; {@code loop} is the device's
   * loop.
   */
  public Accelerator wrap(Accelerator inner, EventLoop loop) {
    return (batch, done) -> {
      switch (mode) {
        case FAIL ->
            done.accept(
                StageOutcome.failed(new IllegalStateException("injected backend failure"), 0));
        case HANG -> {
          synchronized (hung) {
            hung.add(done);
          }
        }
        case SLOW -> loop.schedule(loop.now() + delayNanos, () -> inner.execute(batch, done));
        case NONE -> inner.execute(batch, done);
      }
    };
  }
}
