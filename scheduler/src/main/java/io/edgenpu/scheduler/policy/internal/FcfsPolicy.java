package io.edgenpu.scheduler.policy.internal;

import io.edgenpu.scheduler.policy.BatchPolicy;
import io.edgenpu.scheduler.policy.IdleDecision;
import io.edgenpu.scheduler.policy.PolicyContext;

/** BL0: no batching. One sample at a time, first come first served; exits release the sample. */
public final class FcfsPolicy implements BatchPolicy {
  @Override
  public String name() {
    return "fcfs";
  }

  @Override
  public IdleDecision onIdle(PolicyContext ctx) {
    return ctx.queue().isEmpty() ? IdleDecision.NOTHING : IdleDecision.start(1);
  }
}
