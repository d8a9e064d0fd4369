package io.edgenpu.scheduler.policy;

/**
 * What a policy wants when the device is idle: start a fresh batch of the first {@code batchSize}
 * queued samples, wait until {@code wakeAtNanos} (a batching window), or nothing (queue empty).
 */
public record IdleDecision(Kind kind, int batchSize, long wakeAtNanos) {
  public enum Kind {
    START,
    WAIT,
    NOTHING
  }

  public static final IdleDecision NOTHING = new IdleDecision(Kind.NOTHING, 0, Long.MAX_VALUE);

  public static IdleDecision start(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1");
    }
    return new IdleDecision(Kind.START, batchSize, 0);
  }

  public static IdleDecision waitUntil(long wakeAtNanos) {
    return new IdleDecision(Kind.WAIT, 0, wakeAtNanos);
  }
}
