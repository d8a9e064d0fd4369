package io.edgenpu.scheduler.policy.internal;

import io.edgenpu.scheduler.core.SampleQueue;
import io.edgenpu.scheduler.policy.BatchPolicy;
import io.edgenpu.scheduler.policy.IdleDecision;
import io.edgenpu.scheduler.policy.PolicyContext;

/**
 * Earliest-deadline-first batching: when the device is free, the queued samples with the earliest
 * deadlines (up to the max batch size) start at once. No window, no preemption; exits leave the
 * batch.
 */
public final class EdfPolicy implements BatchPolicy {
  @Override
  public String name() {
    return "edf";
  }

  @Override
  public SampleQueue.Order requiredQueueOrder() {
    return SampleQueue.Order.EARLIEST_DEADLINE;
  }

  @Override
  public IdleDecision onIdle(PolicyContext ctx) {
    int q = ctx.queue().size();
    return q == 0 ? IdleDecision.NOTHING : IdleDecision.start(Math.min(q, ctx.maxBatchSize()));
  }
}
