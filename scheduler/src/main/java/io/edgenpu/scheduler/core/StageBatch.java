package io.edgenpu.scheduler.core;

import java.util.List;

/**
 * One execution handed to an {@link Accelerator}: stage {@code stage} of model {@code model} for
 * {@code samples} (all at that stage). {@code maskedCount} of the samples have already exited and
 * ride along only because an EE-unaware policy keeps them (they cost compute; their results are
 * already final).
 *
 * @param catchUp true when this batch is a preempting group catching up to a suspended batch
 * @param startNanos when the execution starts on the scheduler's clock
 */
public record StageBatch(
    String model,
    int stage,
    List<Sample> samples,
    int maskedCount,
    boolean catchUp,
    long startNanos) {
  public int size() {
    return samples.size();
  }
}
