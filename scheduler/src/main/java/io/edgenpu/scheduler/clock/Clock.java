package io.edgenpu.scheduler.clock;

/**
 * The only source of time for scheduler code. Real time in the service, virtual time in the
 * simulator, a hand-advanced clock in tests. Values are nanoseconds on a monotonic,
 * arbitrary-origin time line.
 */
@FunctionalInterface
public interface Clock {
  /** Current time in nanoseconds; monotonic non-decreasing. */
  long nanoTime();

  /** The JVM's monotonic clock. */
  static Clock system() {
    return System::nanoTime;
  }
}
