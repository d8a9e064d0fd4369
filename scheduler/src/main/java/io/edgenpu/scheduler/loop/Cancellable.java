package io.edgenpu.scheduler.loop;

/** Handle of a scheduled task. {@link #cancel()} is idempotent; a cancelled task never runs. */
@FunctionalInterface
public interface Cancellable {
  void cancel();

  Cancellable NONE = () -> {};
}
