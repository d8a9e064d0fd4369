package io.edgenpu.scheduler.core;

/**
 * Observes what a {@link DeviceScheduler} does, for metrics, traces and the simulator's statistics.
 * Called on the device's event loop; implementations must be cheap and must not call back into the
 * scheduler. Every method defaults to doing nothing.
 */
public interface SchedulerListener {
  /** A request was queued. */
  default void onQueued(Request r, long nowNanos) {}

  /**
   * A request was refused because its predicted completion ({@code predictedNanos}) is after its
   * deadline.
   */
  default void onAdmissionRefused(Request r, long predictedNanos, long nowNanos) {}

  /** A request was refused or expired without running to completion. */
  default void onRejected(Request r, FailureReason reason, long nowNanos) {}

  /** A stage started on the device. */
  default void onStageStart(
      String model, int stage, int size, int masked, boolean catchUp, long nowNanos) {}

  /** A stage ended; {@code deviceNanos} is the time it held the device. */
  default void onStageEnd(
      String model, int stage, int size, long deviceNanos, boolean failed, long nowNanos) {}

  /**
   * A stage batch was handed to the accelerator (its samples, for per-request traces); after
   * onStageStart.
   */
  default void onBatchStart(StageBatch batch, long nowNanos) {}

  /**
   * A stage batch came back from the accelerator; before onStageEnd's consequences (exits, merges).
   */
  default void onBatchEnd(StageBatch batch, StageOutcome outcome, long nowNanos) {}

  /** A sample's result became final (early or final exit). */
  default void onSampleExit(Sample s, int stage, long nowNanos) {}

  /** The running batch was suspended so that {@code incoming} queued samples can catch up to it. */
  default void onPreempt(String model, int stage, int live, int incoming, long nowNanos) {}

  /** A catch-up group reached the suspended batch's depth and the two merged. */
  default void onMerge(String model, int stage, int mergedSize, long nowNanos) {}

  /** Every catch-up sample exited before reaching the suspended batch, which resumes alone. */
  default void onResume(String model, int stage, long nowNanos) {}

  /**
   * A sample was dropped from a queue or a running batch (cancelled, late, or its request failed).
   */
  default void onSampleDropped(
      Sample s, FailureReason reason, boolean whileRunning, long nowNanos) {}

  /** A request got its one answer (completed, or failed with {@link Request#failure()}). */
  default void onRequestFinished(Request r, long nowNanos) {}

  SchedulerListener NONE = new SchedulerListener() {};
}
