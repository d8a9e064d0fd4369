package io.edgenpu.service.device;

import io.edgenpu.scheduler.core.LatencyOracle;
import java.util.function.IntBinaryOperator;

/**
 * A latency oracle that starts from a prior (the NPU cost model, or a throughput guess for a CPU)
 * and follows measurements: per stage and batch size an exponentially weighted mean of observed
 * device times; batch sizes not yet observed are the prior scaled by the stage's observed/prior
 * ratio. Used on the device loop only (not thread-safe).
 */
public final class LearnedLatencyOracle implements LatencyOracle {
  private static final double ALPHA = 0.2;

  private final double[][] mean;
  private final long[][] count;
  private final double[][] prior;
  private final double[] ratioSum;
  private final long[] ratioCount;
  private final int maxBatch;

  /**
   * @param priorNanos (stage, batch) -> prior nanoseconds, for batch 1..maxBatch
   */
  public LearnedLatencyOracle(int stages, int maxBatch, IntBinaryOperator priorNanos) {
    this.maxBatch = maxBatch;
    this.mean = new double[stages][maxBatch + 1];
    this.count = new long[stages][maxBatch + 1];
    this.prior = new double[stages][maxBatch + 1];
    this.ratioSum = new double[stages];
    this.ratioCount = new long[stages];
    for (int s = 0; s < stages; s++) {
      for (int b = 1; b <= maxBatch; b++) {
        prior[s][b] = Math.max(1, priorNanos.applyAsInt(s, b));
      }
    }
  }

  @Override
  public long stageNanos(int stage, int batchSize) {
    int b = Math.min(Math.max(1, batchSize), maxBatch);
    double t;
    if (count[stage][b] > 0) {
      t = mean[stage][b];
    } else {
      double ratio = ratioCount[stage] == 0 ? 1 : ratioSum[stage] / ratioCount[stage];
      t = prior[stage][b] * ratio;
    }
    if (batchSize > maxBatch) {
      t = t * batchSize / maxBatch;
    }
    return Math.max(1, Math.round(t));
  }

  @Override
  public void observe(int stage, int batchSize, long nanos) {
    if (batchSize < 1 || batchSize > maxBatch || nanos <= 0) {
      return;
    }
    double m =
        count[stage][batchSize] == 0
            ? nanos
            : mean[stage][batchSize] + ALPHA * (nanos - mean[stage][batchSize]);
    mean[stage][batchSize] = m;
    count[stage][batchSize]++;
    ratioSum[stage] += nanos / prior[stage][batchSize];
    ratioCount[stage]++;
    if (ratioCount[stage] > 1000) {
      ratioSum[stage] /= 2;
      ratioCount[stage] /= 2;
    }
  }
}
