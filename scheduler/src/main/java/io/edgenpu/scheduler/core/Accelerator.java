package io.edgenpu.scheduler.core;

import java.util.function.Consumer;

/**
 * The device SPI (version 1): run one stage of a model for a batch of samples.
 *
 * <p>Concurrency: the scheduler calls {@link #execute} from its event loop and never starts a
 * second execution on the same device before the first one's outcome is delivered (one execution at
 * a time per device). {@code execute} must not block: it starts the work and returns; the outcome
 * is delivered exactly once through {@code done}, from any thread.
 *
 * <p>Ownership: for the duration of the call the accelerator owns the samples' {@link
 * Sample#state()}; it reads each sample's current tensors and replaces them with the stage's
 * outputs (intermediate activations, or the final outputs at an exit). It must not touch any other
 * sample field.
 */
public interface Accelerator {
  void execute(StageBatch batch, Consumer<StageOutcome> done);
}
