package io.edgenpu.scheduler.core;

/**
 * Predicts how long the device takes to run one stage for a batch: from the NPU cost model for the
 * emulated device, learned from measurements for a real one. Lookups are on the scheduler's hot
 * path and must be cheap (a table read). Not required to be thread-safe beyond single-writer use on
 * the device loop.
 */
public interface LatencyOracle {
  /**
   * Predicted device time of {@code stage} at batch size {@code batchSize} (>= 1), in nanoseconds.
   */
  long stageNanos(int stage, int batchSize);

  /** Feeds back a measured execution; oracles that learn online use it. Default: ignored. */
  default void observe(int stage, int batchSize, long nanos) {}

  /** Predicted time for one sample to run every stage alone (no exit taken). */
  default long fullDepthNanos(StagePlan plan, int batchSize) {
    long t = 0;
    for (int s = 0; s < plan.stageCount(); s++) {
      t += stageNanos(s, batchSize);
    }
    return t;
  }
}
