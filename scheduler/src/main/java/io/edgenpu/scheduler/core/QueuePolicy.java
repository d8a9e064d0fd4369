package io.edgenpu.scheduler.core;

import java.time.Duration;

/**
 * Per-priority-level queue policy, after Triton's {@code ModelQueuePolicy}: a bound on queued
 * samples (arrivals beyond it are rejected at once) and a queue timeout (a request still fully
 * queued after it is rejected). Only the REJECT timeout action is supported. Immutable.
 *
 * @param maxQueueSize maximum queued samples (batch rows) at this level; 0 = unbounded
 * @param defaultTimeout queue timeout; {@link Duration#ZERO} = none
 * @param allowTimeoutOverride whether a request may set its own queue timeout (only shorter than
 *     the default, as in Triton, when a default exists)
 */
public record QueuePolicy(int maxQueueSize, Duration defaultTimeout, boolean allowTimeoutOverride) {
  public static final QueuePolicy UNBOUNDED = new QueuePolicy(0, Duration.ZERO, true);

  public QueuePolicy {
    if (maxQueueSize < 0) {
      throw new IllegalArgumentException("maxQueueSize must be >= 0");
    }
    if (defaultTimeout == null || defaultTimeout.isNegative()) {
      throw new IllegalArgumentException("defaultTimeout must be >= 0");
    }
  }

  /**
   * Effective queue timeout in nanoseconds for a request's override (0 = none requested); 0 = no
   * timeout.
   */
  long effectiveTimeoutNanos(long requestedNanos) {
    long def = defaultTimeout.toNanos();
    if (requestedNanos <= 0 || !allowTimeoutOverride) {
      return def;
    }
    return def == 0 ? requestedNanos : Math.min(def, requestedNanos);
  }
}
