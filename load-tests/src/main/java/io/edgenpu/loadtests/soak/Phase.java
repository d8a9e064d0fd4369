package io.edgenpu.loadtests.soak;

/**
 * Where the soak is: traffic on, shutdown begun (SIGTERM sent), traffic stopped. Shared by every
 * actor.
 */
final class Phase {
  /** Answers later than this after the send count as unanswered. */
  static final long ANSWER_TIMEOUT_NANOS = 30_000_000_000L;

  private volatile long shutdownAtNanos;
  private volatile boolean stopped;

  /** The service was sent SIGTERM now: from here on, a refused or closed connection is expected. */
  void shutdownBegins() {
    shutdownAtNanos = System.nanoTime();
  }

  /** Whether shutdown had begun by {@code nanos} (a send at that time may find the door closed). */
  boolean shuttingDownAt(long nanos) {
    long t = shutdownAtNanos;
    return t != 0 && nanos >= t;
  }

  boolean shuttingDown() {
    return shutdownAtNanos != 0;
  }

  /** No new requests from here on. */
  void stop() {
    stopped = true;
  }

  boolean stopped() {
    return stopped;
  }
}
