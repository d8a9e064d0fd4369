package io.edgenpu.scheduler.sim;

import java.util.Arrays;

/**
 * What one simulated run measured, over the requests after the warm-up. Latencies in nanoseconds.
 *
 * @param latencies per measured request, in trace order (completion − arrival)
 * @param arrivals arrival instant of each measured request
 * @param sloNanos the latency target the satisfaction refers to (0 = none)
 * @param meanBatchPerStage mean executed batch size per stage (occupancy), masked samples included
 * @param wastedFraction share of device time spent on samples that had already exited (EE-unaware
 *     batching)
 * @param entryBatchHistogram how many stage-0 executions (fresh or catch-up groups) had each size
 *     (index = size)
 */
public record SimulationResult(
    long[] latencies,
    long[] arrivals,
    long sloNanos,
    double utilization,
    double[] meanBatchPerStage,
    long preemptions,
    long merges,
    double wastedFraction,
    long makespanNanos,
    long[] entryBatchHistogram) {

  public int count() {
    return latencies.length;
  }

  public double meanMillis() {
    double s = 0;
    for (long l : latencies) {
      s += l;
    }
    return s / latencies.length / 1e6;
  }

  /** Percentile (0..100) in milliseconds, nearest-rank on the sorted latencies. */
  public double percentileMillis(double p) {
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank))] / 1e6;
  }

  /** Fraction of measured requests answered within the SLO. */
  public double sloSatisfaction() {
    if (sloNanos <= 0) {
      return 1.0;
    }
    int ok = 0;
    for (long l : latencies) {
      if (l <= sloNanos) {
        ok++;
      }
    }
    return (double) ok / latencies.length;
  }

  /**
   * The windowed SLO satisfaction: the share of windows of {@code windowSize} consecutive requests
   * (in arrival order) whose p95 and p99 latency are both within the SLO; 1 without an SLO. A last
   * window shorter than {@code windowSize} is left out (all of them when there is only one).
   */
  public double windowedSloSatisfaction(int windowSize) {
    if (sloNanos <= 0) {
      return 1.0;
    }
    int windows = Math.max(1, latencies.length / windowSize);
    int size = Math.min(windowSize, latencies.length);
    int ok = 0;
    for (int w = 0; w < windows; w++) {
      long[] sorted = Arrays.copyOfRange(latencies, w * size, (w + 1) * size);
      Arrays.sort(sorted);
      long p95 = sorted[Math.max(0, (int) Math.ceil(0.95 * sorted.length) - 1)];
      long p99 = sorted[Math.max(0, (int) Math.ceil(0.99 * sorted.length) - 1)];
      if (p95 <= sloNanos && p99 <= sloNanos) {
        ok++;
      }
    }
    return (double) ok / windows;
  }

  /** Requests answered within the SLO per second of the measured span. */
  public double goodputPerSecond() {
    long span = makespanNanos;
    return span <= 0 ? 0 : sloSatisfaction() * latencies.length / (span / 1e9);
  }
}
