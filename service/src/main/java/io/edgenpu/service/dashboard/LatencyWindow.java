package io.edgenpu.service.dashboard;

import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Percentiles of the requests that finished inside a time window, from two cumulative snapshots of
 * a fixed-bucket histogram (the service's SLO-aligned buckets): the bucket counts' difference, with
 * linear interpolation inside the bucket that holds the quantile. Pure; used by the dashboard.
 */
final class LatencyWindow {
  private LatencyWindow() {}

  /**
   * A latency quantile over the window between two histogram readings.
   *
   * @param older cumulative bucket counts at the window's start (same buckets as {@code newer}), or
   *     null
   * @param newer cumulative bucket counts now
   * @param total requests in the window (the histogram count's difference), including those above
   *     the last bucket
   * @param q quantile in (0, 1]
   * @return the quantile in milliseconds, NaN when the window is empty; the last bound when it lies
   *     above it
   */
  static double quantileMillis(
      CountAtBucket @Nullable [] older, CountAtBucket[] newer, double total, double q) {
    if (total <= 0) {
      return Double.NaN;
    }
    double target = q * total;
    double previousBound = 0;
    double previousCount = 0;
    for (int i = 0; i < newer.length; i++) {
      double count = newer[i].count() - (older == null ? 0 : older[i].count());
      double bound = newer[i].bucket(TimeUnit.MILLISECONDS);
      if (count >= target) {
        double inBucket = count - previousCount;
        double fraction = inBucket <= 0 ? 1 : (target - previousCount) / inBucket;
        return previousBound + fraction * (bound - previousBound);
      }
      previousBound = bound;
      previousCount = count;
    }
    return previousBound;
  }
}
