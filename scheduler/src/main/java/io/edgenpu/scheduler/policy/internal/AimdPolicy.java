package io.edgenpu.scheduler.policy.internal;

import io.edgenpu.scheduler.policy.BatchPolicy;
import io.edgenpu.scheduler.policy.IdleDecision;
import io.edgenpu.scheduler.policy.PolicyContext;

/**
 * BL2: Clipper-style adaptive batch size. The batch-size cap grows by {@code additiveStep} after a
 * batch whose processing latency met the SLO and shrinks by the factor {@code backoff} after one
 * that missed it (AIMD). Batches start as soon as the device is free; exits leave the batch
 * (shrink-only).
 */
public final class AimdPolicy implements BatchPolicy {
  /**
   * The policy's parameters.
   *
   * @param backoff multiplicative decrease factor in (0, 1) (Clipper used 0.9)
   */
  public record Config(int additiveStep, double backoff, int initialCap) {
    public Config {
      if (additiveStep < 1 || backoff <= 0 || backoff >= 1 || initialCap < 1) {
        throw new IllegalArgumentException(
            "aimd needs step >= 1, backoff in (0,1), initial cap >= 1");
      }
    }
  }

  private final Config config;
  private int cap;

  public AimdPolicy(Config config) {
    this.config = config;
    this.cap = config.initialCap();
  }

  @Override
  public String name() {
    return "aimd";
  }

  /** Current batch-size cap (for tests and metrics). */
  public int cap() {
    return cap;
  }

  @Override
  public IdleDecision onIdle(PolicyContext ctx) {
    int q = ctx.queue().size();
    if (q == 0) {
      return IdleDecision.NOTHING;
    }
    return IdleDecision.start(Math.min(q, Math.min(cap, ctx.maxBatchSize())));
  }

  @Override
  public void onBatchFinished(
      PolicyContext ctx, long startedNanos, int maxSize, long worstLatencyNanos) {
    long slo = ctx.defaultSloNanos();
    if (slo <= 0) {
      cap = ctx.maxBatchSize();
      return;
    }
    long processing = ctx.now() - startedNanos;
    if (processing <= slo) {
      if (maxSize >= cap) {
        cap = Math.min(ctx.maxBatchSize(), cap + config.additiveStep());
      }
    } else {
      cap = Math.max(1, (int) Math.floor(cap * config.backoff()));
    }
  }
}
