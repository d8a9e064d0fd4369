package io.edgenpu.scheduler.core;

/**
 * Conditional exit probabilities h_e: the chance that a sample that reaches exit point e leaves
 * there. Starts from a prior and, when {@link #learning} is on, follows what the model actually
 * does. Single-threaded (device loop).
 */
public final class ExitStatistics {
  private final StagePlan plan;
  private final double[] priorHazard;
  private final double priorWeight;
  private final boolean learning;
  private final long[] reached;
  private final long[] exited;
  private final double[] hazard;
  private long version;
  private long observationsSinceRefresh;

  /**
   * @param priorHazard per stage, prior exit probability (ignored where the stage has no exit;
   *     forced to 1 at the last stage)
   * @param priorWeight pseudo-count of the prior
   * @param learning whether observations update the estimate
   */
  public ExitStatistics(
      StagePlan plan, double[] priorHazard, double priorWeight, boolean learning) {
    if (priorHazard.length != plan.stageCount()) {
      throw new IllegalArgumentException("need one prior per stage");
    }
    this.plan = plan;
    this.priorHazard = priorHazard.clone();
    this.priorWeight = priorWeight;
    this.learning = learning;
    this.reached = new long[plan.stageCount()];
    this.exited = new long[plan.stageCount()];
    this.hazard = new double[plan.stageCount()];
    recompute();
  }

  /**
   * Fixed hazards from cumulative exit fractions F_e (one per exit, last = 1), as
   * docs/papers/fluid-batching.md
   */
  public static ExitStatistics fromCumulative(StagePlan plan, double[] cumulative) {
    if (cumulative.length != plan.exitCount()) {
      throw new IllegalArgumentException("need one cumulative fraction per exit");
    }
    double[] h = new double[plan.stageCount()];
    double prev = 0;
    for (int e = 0; e < cumulative.length; e++) {
      int s = plan.stageOfExit(e);
      double f = cumulative[e];
      h[s] = prev >= 1 ? 1 : Math.min(1, Math.max(0, (f - prev) / (1 - prev)));
      prev = f;
    }
    return new ExitStatistics(plan, h, 1, false);
  }

  /** No early exits expected (the EE-unaware view). */
  public static ExitStatistics none(StagePlan plan) {
    return new ExitStatistics(plan, new double[plan.stageCount()], 1, false);
  }

  /**
   * Records that {@code reachedCount} samples finished {@code stage} and {@code exitedCount} of
   * them left.
   */
  public void observe(int stage, int reachedCount, int exitedCount) {
    if (!learning || !plan.isExitPoint(stage) || stage == plan.lastStage()) {
      return;
    }
    reached[stage] += reachedCount;
    exited[stage] += exitedCount;
    observationsSinceRefresh += reachedCount;
    // Refresh in steps so that tables derived from the hazards are not rebuilt on every batch.
    if (observationsSinceRefresh >= 64) {
      observationsSinceRefresh = 0;
      recompute();
    }
  }

  private void recompute() {
    for (int s = 0; s < plan.stageCount(); s++) {
      if (s == plan.lastStage()) {
        hazard[s] = 1;
      } else if (!plan.isExitPoint(s)) {
        hazard[s] = 0;
      } else {
        hazard[s] = (exited[s] + priorHazard[s] * priorWeight) / (reached[s] + priorWeight);
      }
    }
    version++;
  }

  /** h at {@code stage}: 0 where there is no exit, 1 at the last stage. */
  public double hazard(int stage) {
    return hazard[stage];
  }

  /**
   * Probability that a sample alive after {@code fromStage} (i.e. about to run fromStage+1) is
   * still alive when it starts {@code toStage}.
   */
  public double survival(int fromStage, int toStage) {
    double p = 1;
    for (int s = fromStage + 1; s < toStage; s++) {
      p *= 1 - hazard[s];
    }
    return p;
  }

  /** Changes whenever the hazards change; derived tables compare it to know when to rebuild. */
  public long version() {
    return version;
  }

  public StagePlan plan() {
    return plan;
  }
}
