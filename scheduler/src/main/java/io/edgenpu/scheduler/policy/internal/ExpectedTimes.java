package io.edgenpu.scheduler.policy.internal;

import io.edgenpu.scheduler.core.ExitStatistics;
import io.edgenpu.scheduler.core.LatencyOracle;
import io.edgenpu.scheduler.core.StagePlan;

/**
 * Expected-time tables of docs/papers/fluid-batching.md, exact over the binomial number of
 * survivors:
 *
 * <ul>
 *   <li>{@code remaining(b, l)} = E[T_rem(b,l)] = Σ_{j>l} Σ_n Binom(n; b, S(j|l)) · T_j(n): time
 *       until a batch of b live samples that has finished stage l leaves the device;
 *   <li>{@code catchUp(n, l)} = E[T_catch(n,l)] = Σ_{j≤l} Σ_k Binom(k; n, S(j|-1)) · T_j(k): time
 *       for n fresh samples to reach depth l.
 * </ul>
 *
 * With {@code exitAware = false} the tables assume no sample ever exits early (the EE-unaware
 * view). Built in O(B²·L²) and rebuilt when the exit statistics change; lookups are O(1). Times in
 * nanoseconds. Single-threaded.
 */
final class ExpectedTimes {
  private final StagePlan plan;
  private final LatencyOracle oracle;
  private final ExitStatistics exits;
  private final int maxBatch;
  private final boolean exitAware;
  private double[][] remaining = new double[0][];
  private double[][] catchUp = new double[0][];
  private long builtForVersion = -1;

  ExpectedTimes(
      StagePlan plan, LatencyOracle oracle, ExitStatistics exits, int maxBatch, boolean exitAware) {
    this.plan = plan;
    this.oracle = oracle;
    this.exits = exits;
    this.maxBatch = maxBatch;
    this.exitAware = exitAware;
  }

  /** E[T_rem(b, l)] for 0 <= b <= maxBatch and -1 <= l <= last stage. */
  double remaining(int b, int completedStage) {
    ensureBuilt();
    return remaining[Math.min(b, maxBatch)][completedStage + 1];
  }

  /** E[T_catch(n, l)]: time for n fresh samples to finish stages 0..l. */
  double catchUp(int n, int throughStage) {
    ensureBuilt();
    return catchUp[Math.min(n, maxBatch)][throughStage + 1];
  }

  private double survival(int from, int to) {
    return exitAware ? exits.survival(from, to) : 1.0;
  }

  private void ensureBuilt() {
    if (remaining.length > 0 && (!exitAware || builtForVersion == exits.version())) {
      return;
    }
    builtForVersion = exits.version();
    int stages = plan.stageCount();
    double[][] t = new double[stages][maxBatch + 1];
    for (int j = 0; j < stages; j++) {
      for (int n = 1; n <= maxBatch; n++) {
        t[j][n] = oracle.stageNanos(j, n);
      }
    }
    remaining = new double[maxBatch + 1][stages + 1];
    catchUp = new double[maxBatch + 1][stages + 1];
    double[] pmf = new double[maxBatch + 1];
    for (int b = 1; b <= maxBatch; b++) {
      for (int l = -1; l < stages; l++) {
        double sum = 0;
        for (int j = l + 1; j < stages; j++) {
          sum += expectation(t[j], b, survival(l, j), pmf);
        }
        remaining[b][l + 1] = sum;
      }
      double acc = 0;
      catchUp[b][0] = 0;
      for (int j = 0; j < stages; j++) {
        acc += expectation(t[j], b, survival(-1, j), pmf);
        catchUp[b][j + 1] = acc;
      }
    }
  }

  /** E[f(N)] for N ~ Binom(b, p), f = stage time by batch size, f(0) = 0. */
  private static double expectation(double[] f, int b, double p, double[] pmf) {
    if (p >= 1) {
      return f[b];
    }
    if (p <= 0) {
      return 0;
    }
    binomialPmf(b, p, pmf);
    double e = 0;
    for (int k = 1; k <= b; k++) {
      e += pmf[k] * f[k];
    }
    return e;
  }

  static void binomialPmf(int n, double p, double[] out) {
    double q = 1 - p;
    out[0] = Math.pow(q, n);
    if (out[0] > 0) {
      for (int k = 1; k <= n; k++) {
        out[k] = out[k - 1] * (n - k + 1) / k * p / q;
      }
      return;
    }
    // Underflow of q^n: use logs.
    for (int k = 0; k <= n; k++) {
      out[k] = Math.exp(logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log(q));
    }
  }

  private static double logChoose(int n, int k) {
    double r = 0;
    for (int i = 1; i <= k; i++) {
      r += Math.log(n - k + i) - Math.log(i);
    }
    return r;
  }

  /** Stage time at a fractional expected batch size, by linear interpolation; 0 for sizes <= 0. */
  double stageNanosAt(int stage, double size) {
    if (size <= 0) {
      return 0;
    }
    if (size >= maxBatch) {
      return oracle.stageNanos(stage, maxBatch) * (size / maxBatch);
    }
    int lo = (int) Math.floor(size);
    double frac = size - lo;
    double tHi = oracle.stageNanos(stage, lo + 1);
    if (lo == 0) {
      return tHi * frac;
    }
    double tLo = oracle.stageNanos(stage, lo);
    return tLo + (tHi - tLo) * frac;
  }

  ExitStatistics exits() {
    return exits;
  }

  StagePlan plan() {
    return plan;
  }
}
