package io.edgenpu.scheduler.policy;

import io.edgenpu.scheduler.core.SampleQueue;
import org.jspecify.annotations.Nullable;

/**
 * A batching strategy for one model on one device. Called on the device's event loop only (single
 * writer), so implementations keep plain mutable state and no locks. The mechanics (running stages,
 * releasing exits, suspending, catching up, merging) live in the scheduler; a policy only decides.
 */
public interface BatchPolicy {
  /** Registry name, e.g. {@code fluid}. */
  String name();

  /** What happens to exited samples inside a batch. */
  default ExitHandling exitHandling() {
    return ExitHandling.RELEASE;
  }

  /** Order this policy needs inside a priority level, or null for the model's configured order. */
  default SampleQueue.@Nullable Order requiredQueueOrder() {
    return null;
  }

  /**
   * The device is idle and this model has queued work (or a wake-up came): start, wait, or nothing.
   */
  IdleDecision onIdle(PolicyContext ctx);

  /**
   * A stage of this model's running batch just finished and exited samples were removed. Called
   * only when a preemption is possible (no batch suspended, the running batch is not itself
   * catching up, and samples are queued). Default: continue.
   */
  default StageDecision afterStage(PolicyContext ctx, RunningBatch batch) {
    return StageDecision.CONTINUE;
  }

  /**
   * A batch this policy formed has left the device (every sample exited or was dropped).
   *
   * @param startedNanos when its first stage started
   * @param maxSize its largest size over its stages
   * @param worstLatencyNanos the largest arrival-to-answer latency among its samples
   */
  default void onBatchFinished(
      PolicyContext ctx, long startedNanos, int maxSize, long worstLatencyNanos) {}
}
