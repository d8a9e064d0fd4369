package io.edgenpu.scheduler.policy.internal;

import io.edgenpu.scheduler.core.ExitStatistics;
import io.edgenpu.scheduler.core.StagePlan;
import io.edgenpu.scheduler.policy.BatchPolicy;
import io.edgenpu.scheduler.policy.IdleDecision;
import io.edgenpu.scheduler.policy.PolicyContext;
import io.edgenpu.scheduler.policy.RunningBatch;
import io.edgenpu.scheduler.policy.StageDecision;
import org.jspecify.annotations.Nullable;

/**
 * The early-exit-aware preemptive fluid batcher (docs/papers/fluid-batching.md). Fresh batches
 * start as soon as the device is free (work-conserving, no window). At exit points (or every stage)
 * slots freed by exits are refilled by preempting the running batch: queued samples catch up to its
 * depth and merge with it.
 *
 * <p>Two decision rules:
 *
 * <ul>
 *   <li>{@link Rule#GUARDED_REFILL} (Policy A, default): refill {@code n = min(q, B_max − b)} when
 *       the least slack of the live samples, after their expected remaining time, covers γ times
 *       the expected catch-up time;
 *   <li>{@link Rule#EXPECTED_COST} (Policy B): refill only if the expected sum of latencies over
 *       the live samples and the candidates is lower with the preemption than without, under the
 *       same guard.
 * </ul>
 */
public final class FluidBatchingPolicy implements BatchPolicy {
  public enum Rule {
    GUARDED_REFILL,
    EXPECTED_COST,
    NEVER
  }

  public enum Granularity {
    EXIT_POINTS,
    EVERY_STAGE
  }

  /** How large a fresh batch is when the device goes idle. */
  public enum Sizing {
    /** min(q, B_max), as the spec's §2.4. */
    MAX,
    /**
     * The smallest size, up to min(q, B_max), whose expected throughput (samples per expected batch
     * time, exits included) is within 2% of the best: batching only as much as the device rewards
     * it (ours; on an NPU whose cost grows super-linearly with the batch, e.g. when activations
     * spill from the on-chip SRAM, a full batch is slower per sample than a smaller one).
     */
    THROUGHPUT
  }

  /**
   * The policy's parameters.
   *
   * @param minRefill n_min: smallest refill worth a preemption
   * @param gamma safety factor on the catch-up time in the deadline guard
   * @param preemptMaxStage deepest stage after which preemption is allowed; -1 = the last
   *     intermediate exit
   */
  public record Config(
      Rule rule,
      Granularity granularity,
      int minRefill,
      double gamma,
      int preemptMaxStage,
      Sizing sizing) {
    public Config {
      if (minRefill < 1 || gamma < 0) {
        throw new IllegalArgumentException("fluid needs min-refill >= 1 and gamma >= 0");
      }
    }

    public static Config defaults() {
      return new Config(Rule.EXPECTED_COST, Granularity.EXIT_POINTS, 1, 1.0, -1, Sizing.THROUGHPUT);
    }
  }

  private final Config config;
  private @Nullable ExpectedTimes times;

  public FluidBatchingPolicy(Config config) {
    this.config = config;
  }

  @Override
  public String name() {
    return "fluid";
  }

  public Config config() {
    return config;
  }

  @Override
  public IdleDecision onIdle(PolicyContext ctx) {
    int q = ctx.queue().size();
    if (q == 0) {
      return IdleDecision.NOTHING;
    }
    int n = Math.min(q, ctx.maxBatchSize());
    return IdleDecision.start(config.sizing() == Sizing.MAX ? n : throughputSize(times(ctx), n));
  }

  /** Smallest b <= n whose expected samples per second is within 2% of the best b <= n. */
  static int throughputSize(ExpectedTimes et, int n) {
    double best = 0;
    double[] rate = new double[n + 1];
    for (int b = 1; b <= n; b++) {
      rate[b] = b / et.remaining(b, -1);
      best = Math.max(best, rate[b]);
    }
    for (int b = 1; b <= n; b++) {
      if (rate[b] >= 0.98 * best) {
        return b;
      }
    }
    return n;
  }

  @Override
  public StageDecision afterStage(PolicyContext ctx, RunningBatch batch) {
    if (config.rule() == Rule.NEVER) {
      return StageDecision.CONTINUE;
    }
    StagePlan plan = ctx.plan();
    int l = batch.completedStage();
    if (config.granularity() == Granularity.EXIT_POINTS && !plan.isExitPoint(l)) {
      return StageDecision.CONTINUE;
    }
    int maxStage = config.preemptMaxStage() >= 0 ? config.preemptMaxStage() : defaultMaxStage(plan);
    if (l > maxStage) {
      return StageDecision.CONTINUE;
    }
    int b = batch.size();
    int n = Math.min(ctx.queue().size(), ctx.maxBatchSize() - b);
    if (n < config.minRefill()) {
      return StageDecision.CONTINUE;
    }
    ExpectedTimes et = times(ctx);
    double catchUp = et.catchUp(n, l);
    double slack = Deadlines.minSlack(batch.live(), ctx, et.remaining(b, l));
    if (slack < config.gamma() * catchUp) {
      return StageDecision.CONTINUE;
    }
    if (config.rule() == Rule.EXPECTED_COST && !preemptionLowersExpectedLatency(et, b, n, l)) {
      return StageDecision.CONTINUE;
    }
    return StageDecision.preempt(n);
  }

  private static int defaultMaxStage(StagePlan plan) {
    int s = plan.lastIntermediateExitStage();
    return s >= 0 ? s : plan.lastStage() - 1;
  }

  private ExpectedTimes times(PolicyContext ctx) {
    ExpectedTimes t = times;
    if (t == null) {
      t = new ExpectedTimes(ctx.plan(), ctx.oracle(), ctx.exits(), ctx.maxBatchSize(), true);
      times = t;
    }
    return t;
  }

  /**
   * Policy B: compares the expected sum of latencies of the b live samples and the n candidates,
   * with expected group sizes (survivors shrink by the exit hazards) and interpolated stage times.
   */
  static boolean preemptionLowersExpectedLatency(ExpectedTimes et, int b, int n, int l) {
    ExitStatistics ex = et.exits();
    int last = et.plan().lastStage();
    // Without preemption: the live batch runs to its end, then the candidates run as a fresh batch.
    double[] live = sweep(et, ex, b, l, last);
    double[] fresh = sweep(et, ex, n, -1, last);
    double without = live[1] + n * live[0] + fresh[1];
    // With preemption: candidates catch up through stage l (some exit on the way), then all
    // continue merged.
    double[] catchUp = sweep(et, ex, n, -1, l);
    double survivors = n * ex.survival(-1, l + 1);
    double[] merged = sweep(et, ex, b + survivors, l, last);
    double with = catchUp[1] + (b + survivors) * catchUp[0] + merged[1];
    return with < without;
  }

  /**
   * Runs a group of expected size {@code x} that finished stage {@code from} through stage {@code
   * to}. Returns {total time, sum over exiting samples of their exit time}.
   */
  private static double[] sweep(ExpectedTimes et, ExitStatistics ex, double x, int from, int to) {
    double time = 0;
    double alive = x;
    double sum = 0;
    for (int j = from + 1; j <= to; j++) {
      time += et.stageNanosAt(j, alive);
      double leaving = alive * ex.hazard(j);
      sum += leaving * time;
      alive -= leaving;
    }
    return new double[] {time, sum};
  }
}
