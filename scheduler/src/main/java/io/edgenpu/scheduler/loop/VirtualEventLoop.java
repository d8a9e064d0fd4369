package io.edgenpu.scheduler.loop;

/**
 * A discrete-event loop on virtual time: {@link #now()} jumps from event to event, so a simulated
 * hour takes as long as its events take to process. Single-threaded: every method must be called
 * from the thread that drives {@link #runUntilIdle()} / {@link #runUntil(long)}. Deterministic: the
 * same calls in the same order give the same event order.
 */
public final class VirtualEventLoop implements EventLoop {
  private final TimerQueue timers = new TimerQueue();
  private long now;
  private long processed;

  public VirtualEventLoop(long startNanos) {
    this.now = startNanos;
  }

  public VirtualEventLoop() {
    this(0);
  }

  @Override
  public long now() {
    return now;
  }

  @Override
  public void execute(Runnable task) {
    timers.add(now, task);
  }

  @Override
  public Cancellable schedule(long atNanos, Runnable task) {
    return timers.add(Math.max(atNanos, now), task);
  }

  @Override
  public boolean inLoop() {
    return true;
  }

  /** Processes events until none are left. */
  public void runUntilIdle() {
    runUntil(Long.MAX_VALUE);
  }

  /**
   * Processes every event due at or before {@code endNanos}, then sets the time to {@code endNanos}
   * if finite.
   */
  public void runUntil(long endNanos) {
    TimerQueue.Timer t;
    while ((t = timers.peek()) != null && t.atNanos <= endNanos) {
      timers.poll();
      now = t.atNanos;
      processed++;
      t.fire().run();
    }
    if (endNanos != Long.MAX_VALUE && endNanos > now) {
      now = endNanos;
    }
  }

  /** Runs the single next event, if any; returns false when there was none. */
  public boolean step() {
    TimerQueue.Timer t = timers.poll();
    if (t == null) {
      return false;
    }
    now = t.atNanos;
    processed++;
    t.fire().run();
    return true;
  }

  public boolean hasPendingEvents() {
    return timers.peek() != null;
  }

  /** Number of events run so far. */
  public long processedEvents() {
    return processed;
  }
}
