package io.edgenpu.scheduler.policy.internal;

import io.edgenpu.scheduler.policy.BatchPolicy;
import io.edgenpu.scheduler.policy.ExitHandling;
import io.edgenpu.scheduler.policy.IdleDecision;
import io.edgenpu.scheduler.policy.PolicyContext;
import java.time.Duration;
import java.util.List;

/**
 * Triton-style dynamic batching (and the paper's BL1 windowed graph batching): when the device is
 * free, dispatch the largest preferred batch size that the queue can fill; otherwise wait until the
 * oldest sample has waited {@code maxQueueDelay}, then dispatch what is there (up to the max batch
 * size). A full max-size batch goes at once. No preemption: a batch runs to its end. Exits either
 * leave the batch at once (shrink-only) or stay in it, masked, until it ends (EE-unaware).
 */
public final class DynamicBatchingPolicy implements BatchPolicy {
  /**
   * The policy's parameters.
   *
   * @param maxQueueDelay how long the oldest sample may wait for a batch to fill; zero = dispatch
   *     at once
   * @param preferredSizes batch sizes dispatched as soon as they can be formed (ascending), may be
   *     empty
   */
  public record Config(
      Duration maxQueueDelay, List<Integer> preferredSizes, ExitHandling exitHandling) {
    public Config {
      if (maxQueueDelay.isNegative()) {
        throw new IllegalArgumentException("max queue delay must be >= 0");
      }
      preferredSizes = preferredSizes.stream().sorted().toList();
      for (int p : preferredSizes) {
        if (p < 1) {
          throw new IllegalArgumentException("preferred batch sizes must be >= 1");
        }
      }
    }
  }

  private final String name;
  private final Config config;

  public DynamicBatchingPolicy(String name, Config config) {
    this.name = name;
    this.config = config;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ExitHandling exitHandling() {
    return config.exitHandling();
  }

  @Override
  public IdleDecision onIdle(PolicyContext ctx) {
    int q = ctx.queue().size();
    if (q == 0) {
      return IdleDecision.NOTHING;
    }
    int max = ctx.maxBatchSize();
    if (q >= max) {
      return IdleDecision.start(max);
    }
    List<Integer> preferred = config.preferredSizes();
    for (int i = preferred.size() - 1; i >= 0; i--) {
      int p = preferred.get(i);
      if (p <= q && p <= max) {
        return IdleDecision.start(p);
      }
    }
    long delay = config.maxQueueDelay().toNanos();
    long due = ctx.queue().oldestEnqueuedNanos() + delay;
    if (delay == 0 || ctx.now() >= due) {
      return IdleDecision.start(q);
    }
    return IdleDecision.waitUntil(due);
  }
}
