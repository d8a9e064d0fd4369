package io.edgenpu.scheduler.core;

import org.jspecify.annotations.Nullable;

/**
 * Result of one {@link StageBatch} execution.
 *
 * @param exited per sample of the batch (same order): whether its exit criterion was met after this
 *     stage; ignored at stages without an exit point and for masked samples; may be null when
 *     nothing exited
 * @param failure non-null when the execution failed; every unmasked sample of the batch then fails
 * @param deviceNanos time the device was held busy (modelled for an emulated device, measured for a
 *     real one)
 */
public record StageOutcome(
    boolean @Nullable [] exited, @Nullable Throwable failure, long deviceNanos) {
  public static StageOutcome success(boolean[] exited, long deviceNanos) {
    return new StageOutcome(exited, null, deviceNanos);
  }

  public static StageOutcome failed(Throwable failure, long deviceNanos) {
    return new StageOutcome(null, failure, deviceNanos);
  }

  public boolean exited(int i) {
    return exited != null && exited[i];
  }
}
