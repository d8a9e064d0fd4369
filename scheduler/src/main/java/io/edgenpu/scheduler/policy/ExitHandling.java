package io.edgenpu.scheduler.policy;

/** What happens to a sample that meets its exit criterion inside a batch. */
public enum ExitHandling {
  /** It is answered at once and leaves the batch (shrink; EE-aware). */
  RELEASE,
  /**
   * It stays in the batch, costing compute, and is answered when the batch ends (EE-unaware,
   * masked).
   */
  MASK_UNTIL_END
}
