package io.edgenpu.scheduler.policy;

/**
 * What a policy wants at a stage boundary of the running batch: continue it, or preempt it so that
 * {@code incoming} queued samples run from stage 0, catch up to its depth and merge into it.
 */
public record StageDecision(boolean preempt, int incoming) {
  public static final StageDecision CONTINUE = new StageDecision(false, 0);

  public static StageDecision preempt(int incoming) {
    if (incoming < 1) {
      throw new IllegalArgumentException("a preemption must admit at least one sample");
    }
    return new StageDecision(true, incoming);
  }
}
