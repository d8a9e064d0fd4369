package io.edgenpu.loadtests.soak;

import java.util.SplittableRandom;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A simulated device: sends requests of the soak's mix at Poisson arrivals until the soak stops.
 */
abstract class SimulatedDevice {
  protected final String name;
  protected final Requests requests;
  protected final Phase phase;
  protected final SplittableRandom rnd;
  private final double ratePerSecond;
  private final ScheduledExecutorService timer;
  private long next;

  SimulatedDevice(
      String name,
      Requests requests,
      Phase phase,
      double ratePerSecond,
      ScheduledExecutorService timer,
      long seed) {
    this.name = name;
    this.requests = requests;
    this.phase = phase;
    this.ratePerSecond = ratePerSecond;
    this.timer = timer;
    this.rnd = new SplittableRandom(seed);
  }

  void start() {
    scheduleNext();
  }

  private void scheduleNext() {
    if (phase.stopped()) {
      return;
    }
    long gapMicros = (long) (-Math.log(1 - rnd.nextDouble()) / ratePerSecond * 1e6);
    Future<?> unused =
        timer.schedule(
            () -> {
              if (phase.stopped()) {
                return;
              }
              try {
                send(requests.pick(rnd), name + "-" + next++);
              } catch (RuntimeException e) {
                System.err.println(name + ": could not send: " + e);
              }
              scheduleNext();
            },
            gapMicros,
            TimeUnit.MICROSECONDS);
  }

  /** Sends one request; the answer (or its absence) is recorded in the transport's ledger. */
  protected abstract void send(String model, String id);

  /** Requests sent and not yet settled. */
  abstract int outstanding();

  /** Called once when the soak ends: close connections; requests still waiting are unanswered. */
  void close() {}

  /**
   * The status and error text of a JSON error body ({@code {"error": "..."}}), tolerant of anything
   * else.
   */
  static String errorOf(String body) {
    if (body == null) {
      return "";
    }
    int i = body.indexOf("\"error\"");
    if (i < 0) {
      return "";
    }
    int start = body.indexOf('"', body.indexOf(':', i) + 1);
    int end = start < 0 ? -1 : body.indexOf('"', start + 1);
    return start < 0 || end < 0 ? "" : body.substring(start + 1, end);
  }
}
