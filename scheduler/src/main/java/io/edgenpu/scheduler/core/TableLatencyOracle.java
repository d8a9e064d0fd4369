package io.edgenpu.scheduler.core;

import java.util.function.IntBinaryOperator;

/**
 * A latency oracle backed by a precomputed table {@code nanos[stage][batchSize]} for batch sizes
 * 1..max. Sizes beyond the table scale linearly from the largest entry. Immutable and thread-safe.
 */
public final class TableLatencyOracle implements LatencyOracle {
  private final long[][] nanos;
  private final int maxBatch;

  /**
   * @param nanos {@code nanos[stage][b]} for b in 1..maxBatch (index 0 unused)
   */
  public TableLatencyOracle(long[][] nanos) {
    this.nanos = new long[nanos.length][];
    for (int s = 0; s < nanos.length; s++) {
      this.nanos[s] = nanos[s].clone();
    }
    this.maxBatch = nanos[0].length - 1;
    if (maxBatch < 1) {
      throw new IllegalArgumentException("table needs batch sizes 1..max");
    }
  }

  /** Builds the table from a function (stage, batch) -> nanos. */
  public static TableLatencyOracle of(
      int stages, int maxBatch, IntBinaryOperator nanosOfStageAndBatch) {
    long[][] t = new long[stages][maxBatch + 1];
    for (int s = 0; s < stages; s++) {
      for (int b = 1; b <= maxBatch; b++) {
        t[s][b] = nanosOfStageAndBatch.applyAsInt(s, b);
      }
    }
    return new TableLatencyOracle(t);
  }

  @Override
  public long stageNanos(int stage, int batchSize) {
    if (batchSize <= maxBatch) {
      return nanos[stage][Math.max(1, batchSize)];
    }
    return (long) ((double) nanos[stage][maxBatch] * batchSize / maxBatch);
  }

  public int maxBatch() {
    return maxBatch;
  }

  public int stageCount() {
    return nanos.length;
  }
}
