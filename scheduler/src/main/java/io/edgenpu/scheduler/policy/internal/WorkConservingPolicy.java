package io.edgenpu.scheduler.policy.internal;

import io.edgenpu.scheduler.core.Sample;
import io.edgenpu.scheduler.policy.BatchPolicy;
import io.edgenpu.scheduler.policy.ExitHandling;
import io.edgenpu.scheduler.policy.IdleDecision;
import io.edgenpu.scheduler.policy.PolicyContext;
import java.util.List;

/**
 * Work-conserving batching, the default for plain models: the device never waits for a batch to
 * fill. When it is free it starts what is queued at once (up to the max batch size); while it is
 * busy, requests accumulate and are taken as one batch when it frees, so batches grow with the load
 * and cost no latency at low load (unlike a batching window, which makes every lone request wait
 * for it).
 *
 * <p>Bounds on the batch: the preferred sizes (rounded down to the largest preferred size the queue
 * can fill, when any is set and one fits), and the head request's deadline (when the full batch is
 * predicted to end after it but a smaller one would not, the batch is cut to the largest size that
 * meets it).
 */
public final class WorkConservingPolicy implements BatchPolicy {
  private final List<Integer> preferredSizes;
  private final ExitHandling exitHandling;

  /**
   * @param preferredSizes batch sizes to round down to, ascending; may be empty
   */
  public WorkConservingPolicy(List<Integer> preferredSizes, ExitHandling exitHandling) {
    for (int p : preferredSizes) {
      if (p < 1) {
        throw new IllegalArgumentException("preferred batch sizes must be >= 1");
      }
    }
    this.preferredSizes = preferredSizes.stream().sorted().toList();
    this.exitHandling = exitHandling;
  }

  @Override
  public String name() {
    return "work-conserving";
  }

  @Override
  public ExitHandling exitHandling() {
    return exitHandling;
  }

  @Override
  public IdleDecision onIdle(PolicyContext ctx) {
    int q = ctx.queue().size();
    if (q == 0) {
      return IdleDecision.NOTHING;
    }
    int n = Math.min(q, ctx.maxBatchSize());
    for (int i = preferredSizes.size() - 1; i >= 0; i--) {
      if (preferredSizes.get(i) <= n) {
        n = preferredSizes.get(i);
        break;
      }
    }
    return IdleDecision.start(withinDeadline(ctx, n));
  }

  /**
   * The largest size up to {@code n} whose predicted run meets the head sample's deadline, if any
   * does.
   */
  private static int withinDeadline(PolicyContext ctx, int n) {
    Sample head = ctx.queue().peek();
    if (n == 1 || head == null || !head.request().hasDeadline()) {
      return n;
    }
    long slack = head.request().deadlineNanos() - ctx.now();
    if (runNanos(ctx, n) <= slack || runNanos(ctx, 1) > slack) {
      return n; // fits, or nothing would: a smaller batch would only lower throughput
    }
    int m = n - 1;
    while (m > 1 && runNanos(ctx, m) > slack) {
      m--;
    }
    return m;
  }

  /**
   * Predicted time of a batch of {@code b} through every stage (no exits assumed: an upper bound).
   */
  private static long runNanos(PolicyContext ctx, int b) {
    long t = 0;
    for (int s = 0; s < ctx.plan().stageCount(); s++) {
      t += ctx.oracle().stageNanos(s, b);
    }
    return t;
  }
}
