package io.edgenpu.scheduler.clock;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to. Thread-safe. For tests. */
public final class ManualClock implements Clock {
  private final AtomicLong nanos;

  public ManualClock(long startNanos) {
    this.nanos = new AtomicLong(startNanos);
  }

  public ManualClock() {
    this(0);
  }

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  public void advance(Duration d) {
    advanceNanos(d.toNanos());
  }

  public void advanceNanos(long deltaNanos) {
    if (deltaNanos < 0) {
      throw new IllegalArgumentException("time cannot go backwards: " + deltaNanos);
    }
    nanos.addAndGet(deltaNanos);
  }

  public void set(long absoluteNanos) {
    nanos.updateAndGet(
        n -> {
          if (absoluteNanos < n) {
            throw new IllegalArgumentException(
                "time cannot go backwards: " + absoluteNanos + " < " + n);
          }
          return absoluteNanos;
        });
  }
}
