package io.edgenpu.service.inference;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's last line: every accepted request that the device path has not answered by its due
 * time (its deadline, or its arrival when it has none, plus {@code grace}) is answered here, with
 * 504, and cancelled on its device. In a healthy server it never fires: the scheduler answers late
 * requests itself (504 at the deadline, 503 from the stage time limit). It exists so that no fault
 * in a listener, a policy or a backend can leave a client waiting forever.
 *
 * <p>Cost on the request path: one map insertion and one removal. A single daemon thread sweeps the
 * map every {@code period}. Thread-safe.
 */
public final class AnswerWatchdog implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AnswerWatchdog.class.getName());

  /** A request being watched: when it is due, and how to answer and cancel it. */
  interface Watched {
    long dueNanos();

    /**
     * Answers the request with 504 unless it was answered meanwhile; true if this call answered it.
     */
    boolean expire(String message);
  }

  private final Map<Long, Watched> watched = new ConcurrentHashMap<>();
  private final AtomicLong keys = new AtomicLong();
  private final AtomicLong fired = new AtomicLong();
  private final long graceNanos;
  private final LongSupplier clock;
  private final @Nullable ScheduledExecutorService sweeper;

  /**
   * @param grace how long past its due time a request may stay unanswered before the watchdog
   *     answers it
   * @param period how often the watched requests are checked
   */
  public AnswerWatchdog(Duration grace, Duration period) {
    this(grace, period, System::nanoTime, true);
  }

  AnswerWatchdog(Duration grace, Duration period, LongSupplier clock, boolean sweep) {
    this.graceNanos = grace.toNanos();
    this.clock = clock;
    if (sweep) {
      this.sweeper =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "edgenpu-answer-watchdog");
                t.setDaemon(true);
                return t;
              });
      long p = Math.max(1, period.toMillis());
      Future<?> unused = sweeper.scheduleWithFixedDelay(this::sweep, p, p, TimeUnit.MILLISECONDS);
    } else {
      this.sweeper = null;
    }
  }

  /** The grace added to each request's due time, nanoseconds. */
  public long graceNanos() {
    return graceNanos;
  }

  /** Starts watching; returns the key to {@link #unwatch} with. */
  long watch(Watched w) {
    long key = keys.incrementAndGet();
    watched.put(key, w);
    return key;
  }

  void unwatch(long key) {
    watched.remove(key);
  }

  /** Answers every watched request whose due time plus grace has passed. */
  void sweep() {
    long now = clock.getAsLong();
    for (Map.Entry<Long, Watched> e : List.copyOf(watched.entrySet())) {
      Watched w = e.getValue();
      if (now - w.dueNanos() > graceNanos) {
        watched.remove(e.getKey());
        try {
          if (w.expire(
              "no answer from the device "
                  + Duration.ofNanos(graceNanos).toMillis()
                  + " ms after the request was due; answered by the gateway watchdog and cancelled")) {
            fired.incrementAndGet();
            LOG.log(
                System.Logger.Level.WARNING,
                "watchdog answered a request the device path never answered");
          }
        } catch (RuntimeException ex) {
          LOG.log(System.Logger.Level.ERROR, "watchdog could not answer a request", ex);
        }
      }
    }
  }

  /** Requests answered by the watchdog so far (0 in a healthy server). */
  public long fired() {
    return fired.get();
  }

  /** Requests watched now (accepted and not yet answered). */
  public int size() {
    return watched.size();
  }

  @Override
  public void close() {
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
  }
}
