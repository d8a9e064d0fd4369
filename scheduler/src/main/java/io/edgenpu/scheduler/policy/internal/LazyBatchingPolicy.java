package io.edgenpu.scheduler.policy.internal;

import io.edgenpu.scheduler.policy.BatchPolicy;
import io.edgenpu.scheduler.policy.IdleDecision;
import io.edgenpu.scheduler.policy.PolicyContext;
import io.edgenpu.scheduler.policy.RunningBatch;
import io.edgenpu.scheduler.policy.StageDecision;
import org.jspecify.annotations.Nullable;

/**
 * BL3: LazyBatching-style node-level batching (Choi, Kim, Rhu, HPCA'21) on the same mechanics. New
 * samples start at once: at every stage boundary the running batch yields to queued samples, which
 * catch up and merge with it, provided the live samples' slack covers the catch-up. Its slack model
 * is EE-unaware: it assumes every sample runs to full depth. Exits leave the batch (shrink-only).
 */
public final class LazyBatchingPolicy implements BatchPolicy {
  private @Nullable ExpectedTimes times;

  @Override
  public String name() {
    return "lazy";
  }

  @Override
  public IdleDecision onIdle(PolicyContext ctx) {
    int q = ctx.queue().size();
    return q == 0 ? IdleDecision.NOTHING : IdleDecision.start(Math.min(q, ctx.maxBatchSize()));
  }

  @Override
  public StageDecision afterStage(PolicyContext ctx, RunningBatch batch) {
    int l = batch.completedStage();
    if (l >= ctx.plan().lastStage()) {
      return StageDecision.CONTINUE;
    }
    int b = batch.size();
    int n = Math.min(ctx.queue().size(), ctx.maxBatchSize() - b);
    if (n < 1) {
      return StageDecision.CONTINUE;
    }
    ExpectedTimes t = times;
    if (t == null) {
      t = new ExpectedTimes(ctx.plan(), ctx.oracle(), ctx.exits(), ctx.maxBatchSize(), false);
      times = t;
    }
    // Safe to merge if the live samples still meet their deadlines after waiting for the catch-up
    // and then running the rest of the model at the merged size (assuming no exits).
    double slack = Deadlines.minSlack(batch.live(), ctx, t.catchUp(n, l) + t.remaining(b + n, l));
    return slack >= 0 ? StageDecision.preempt(n) : StageDecision.CONTINUE;
  }
}
