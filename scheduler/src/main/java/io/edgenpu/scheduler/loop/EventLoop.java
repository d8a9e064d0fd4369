package io.edgenpu.scheduler.loop;

import io.edgenpu.scheduler.clock.Clock;

/**
 * A single-threaded executor with timers, on an injected clock: the one thread on which a device's
 * scheduling policy runs (so policy code needs no locks).
 *
 * <p>Contract: tasks run one at a time, in submission order for {@link #execute} and in time order
 * (ties in submission order) for {@link #schedule}. {@link #execute} may be called from any thread;
 * {@link #schedule} only from the loop itself. Implementations: {@link RealTimeEventLoop} (a thread
 * on the system clock) and {@link VirtualEventLoop} (a discrete-event queue on virtual time).
 */
public interface EventLoop extends Clock {
  /** Current time of this loop's clock, in nanoseconds. */
  long now();

  @Override
  default long nanoTime() {
    return now();
  }

  /** Runs {@code task} on the loop as soon as possible. Thread-safe. */
  void execute(Runnable task);

  /** Runs {@code task} on the loop at or after {@code atNanos}. Call from the loop thread only. */
  Cancellable schedule(long atNanos, Runnable task);

  /** True when called from the loop's own thread (always true for the virtual loop). */
  boolean inLoop();
}
