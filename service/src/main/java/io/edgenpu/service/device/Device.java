package io.edgenpu.service.device;

import io.edgenpu.scheduler.core.DeviceScheduler;
import io.edgenpu.scheduler.core.ExitStatistics;
import io.edgenpu.scheduler.core.FailureReason;
import io.edgenpu.scheduler.core.ModelLane;
import io.edgenpu.scheduler.core.SchedulerListener;
import io.edgenpu.scheduler.loop.RealTimeEventLoop;
import io.edgenpu.scheduler.policy.BatchPolicy;
import io.edgenpu.service.backend.ModelInstance;
import org.jspecify.annotations.Nullable;

/**
 * One device of the server: its event loop (the single thread of its scheduler), its scheduler and
 * its accelerator. Models attach to it as scheduler lanes. Thread-safe.
 */
public final class Device implements AutoCloseable {
  /** What backs a device. */
  public enum Kind {
    EMULATED_NPU,
    EMULATED_BUTTERFLY,
    ONNXRUNTIME
  }

  private final String name;
  private final Kind kind;
  private final RealTimeEventLoop loop;
  private final ModelAccelerator accelerator;
  private final @Nullable GuardedAccelerator guarded;
  private final DeviceScheduler scheduler;
  private final int slots;

  public Device(
      String name,
      Kind kind,
      RealTimeEventLoop loop,
      ModelAccelerator accelerator,
      SchedulerListener listener) {
    this(name, kind, loop, accelerator, null, listener);
  }

  /**
   * @param guarded the accelerator behind its circuit breaker, bulkhead and time limiter, which the
   *     scheduler then uses; null to schedule onto {@code accelerator} directly
   */
  public Device(
      String name,
      Kind kind,
      RealTimeEventLoop loop,
      ModelAccelerator accelerator,
      @Nullable GuardedAccelerator guarded,
      SchedulerListener listener) {
    this(name, kind, loop, accelerator, guarded, listener, 1);
  }

  /**
   * @param slots batches that may run at once (1 for an NPU; one per instance on the CPU)
   */
  public Device(
      String name,
      Kind kind,
      RealTimeEventLoop loop,
      ModelAccelerator accelerator,
      @Nullable GuardedAccelerator guarded,
      SchedulerListener listener,
      int slots) {
    this.name = name;
    this.kind = kind;
    this.loop = loop;
    this.accelerator = accelerator;
    this.guarded = guarded;
    this.slots = slots;
    this.scheduler =
        new DeviceScheduler(name, loop, guarded != null ? guarded : accelerator, listener, slots);
  }

  /** Batches that may run at once on this device. */
  public int slots() {
    return slots;
  }

  /** The guards in front of the backend, or null when it has none. */
  public @Nullable GuardedAccelerator guard() {
    return guarded;
  }

  public String name() {
    return name;
  }

  public Kind kind() {
    return kind;
  }

  public RealTimeEventLoop loop() {
    return loop;
  }

  public DeviceScheduler scheduler() {
    return scheduler;
  }

  public ModelAccelerator accelerator() {
    return accelerator;
  }

  /** Adds a model version: registers it with the accelerator, then as a scheduler lane. */
  public ModelLane attach(
      ModelInstance model, BatchPolicy policy, ExitStatistics exits, ModelLane.Config config) {
    accelerator.add(model);
    ModelLane lane =
        new ModelLane(
            model.key(), model.plan(), accelerator.oracleFor(model), exits, policy, config);
    scheduler.register(lane);
    return lane;
  }

  /**
   * Stops scheduling a model version: its queued requests fail as unavailable; a running batch
   * finishes.
   */
  public void detachLane(String modelKey, String reason) {
    scheduler.unregister(modelKey, FailureReason.UNAVAILABLE, reason);
  }

  /** Removes a model version from the accelerator; call once nothing of it is in flight. */
  public void removeModel(String modelKey) {
    accelerator.remove(modelKey);
  }

  @Override
  public void close() {
    scheduler.close("server is shutting down");
    loop.close();
  }
}
