package io.edgenpu.scheduler.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Queue;
import org.jspecify.annotations.Nullable;

/**
 * The waiting samples of one model: priority levels (level 1 first), each FIFO or
 * earliest-deadline-first, each with its {@link QueuePolicy}. Samples of failed or cancelled
 * requests are dropped lazily. Single-threaded (device loop).
 */
public final class SampleQueue {
  /** Order inside one priority level. */
  public enum Order {
    FIFO,
    EARLIEST_DEADLINE,
    /**
     * Weighted fair queueing across clients ({@link Request#clientId()}, share {@link
     * Request#weight()}), FIFO within a client: start-time fair queueing (Goyal et al., 1996) with
     * one sample as the unit of work. A client that floods its queue only delays its own samples;
     * with one client it is FIFO.
     */
    FAIR
  }

  private static final Comparator<Sample> BY_DEADLINE =
      Comparator.<Sample>comparingLong(s -> s.request().deadlineNanos())
          .thenComparingLong(Sample::enqueuedNanos)
          .thenComparingLong(s -> s.request().id())
          .thenComparingInt(Sample::index);

  private static final Comparator<Sample> BY_FAIR_TAG =
      Comparator.<Sample>comparingDouble(s -> s.fairTag).thenComparingLong(s -> s.fairSeq);

  private record Expiry(long atNanos, long seq, Request request, FailureReason reason) {}

  private final Level[] levels;
  private final int defaultLevel;
  private final PriorityQueue<Expiry> expiries =
      new PriorityQueue<>(Comparator.comparingLong(Expiry::atNanos).thenComparingLong(Expiry::seq));
  private final boolean expireAtDeadline;
  private long expirySeq;
  private int size;

  private static final class Level {
    final QueuePolicy policy;
    final Queue<Sample> buffer;
    final @Nullable FairTags fair;
    int live;

    Level(QueuePolicy policy, Order order) {
      this.policy = policy;
      this.buffer =
          switch (order) {
            case FIFO -> new ArrayDeque<>();
            case EARLIEST_DEADLINE -> new PriorityQueue<>(BY_DEADLINE);
            case FAIR -> new PriorityQueue<>(BY_FAIR_TAG);
          };
      this.fair = order == Order.FAIR ? new FairTags() : null;
    }

    @Nullable Sample peekLive() {
      Sample s = buffer.peek();
      while (s != null && !s.queued) {
        buffer.poll();
        s = buffer.peek();
      }
      return s;
    }
  }

  /**
   * @param policies one per priority level, index 0 = level 1 (highest)
   * @param defaultLevel level (1-based) for requests that do not set one
   * @param expireAtDeadline whether queued requests are failed when their deadline passes
   */
  public SampleQueue(
      List<QueuePolicy> policies, int defaultLevel, Order order, boolean expireAtDeadline) {
    if (policies.isEmpty()) {
      throw new IllegalArgumentException("need at least one priority level");
    }
    if (defaultLevel < 1 || defaultLevel > policies.size()) {
      throw new IllegalArgumentException(
          "default priority level " + defaultLevel + " outside [1," + policies.size() + "]");
    }
    this.levels = new Level[policies.size()];
    for (int i = 0; i < levels.length; i++) {
      levels[i] = new Level(policies.get(i), order);
    }
    this.defaultLevel = defaultLevel;
    this.expireAtDeadline = expireAtDeadline;
  }

  public int levelCount() {
    return levels.length;
  }

  /**
   * Level (1-based) a request is queued at: its own priority, clamped to the lowest level, or the
   * default.
   */
  public int levelOf(Request r) {
    int p = r.priority();
    if (p == 0) {
      return defaultLevel;
    }
    return Math.min(p, levels.length);
  }

  /** Room left at the request's level; {@link Integer#MAX_VALUE} if unbounded. */
  public int capacityFor(Request r) {
    Level l = levels[levelOf(r) - 1];
    return l.policy.maxQueueSize() == 0 ? Integer.MAX_VALUE : l.policy.maxQueueSize() - l.live;
  }

  /** Queues every sample of {@code r}; returns false (queuing nothing) when its level is full. */
  public boolean offer(Request r, long nowNanos) {
    Level l = levels[levelOf(r) - 1];
    int n = r.sampleCount();
    if (l.policy.maxQueueSize() > 0 && l.live + n > l.policy.maxQueueSize()) {
      return false;
    }
    for (Sample s : r.samples()) {
      s.setEnqueuedNanos(nowNanos);
      s.queued = true;
      if (l.fair != null) {
        l.fair.tag(s);
      }
      l.buffer.add(s);
    }
    l.live += n;
    size += n;
    r.markQueued();
    long timeout = l.policy.effectiveTimeoutNanos(r.queueTimeoutNanos());
    if (timeout > 0) {
      expiries.add(
          new Expiry(
              saturatingAdd(nowNanos, timeout), expirySeq++, r, FailureReason.QUEUE_TIMEOUT));
    }
    if (expireAtDeadline && r.hasDeadline()) {
      expiries.add(new Expiry(r.deadlineNanos(), expirySeq++, r, FailureReason.DEADLINE_EXCEEDED));
    }
    return true;
  }

  /** Puts samples back at the head of their level (used when a planned batch cannot start). */
  public void requeueFront(List<Sample> samples) {
    for (int i = samples.size() - 1; i >= 0; i--) {
      Sample s = samples.get(i);
      Level l = levels[levelOf(s.request()) - 1];
      s.queued = true;
      if (l.buffer instanceof ArrayDeque<Sample> d) {
        d.addFirst(s);
      } else {
        l.buffer.add(s);
      }
      l.live++;
      size++;
    }
  }

  private static long saturatingAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  /** Live samples queued, all levels. */
  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** The sample that would be taken next, or null. */
  public @Nullable Sample peek() {
    for (Level l : levels) {
      Sample s = l.peekLive();
      if (s != null) {
        return s;
      }
    }
    return null;
  }

  /**
   * Takes up to {@code n} samples in priority-then-order sequence into {@code into}; returns how
   * many.
   */
  public int poll(int n, List<Sample> into) {
    int taken = 0;
    for (Level l : levels) {
      while (taken < n) {
        Sample s = l.peekLive();
        if (s == null) {
          break;
        }
        l.buffer.poll();
        s.queued = false;
        if (l.fair != null) {
          l.fair.served(s);
        }
        l.live--;
        size--;
        into.add(s);
        taken++;
      }
    }
    return taken;
  }

  public List<Sample> poll(int n) {
    List<Sample> out = new ArrayList<>(Math.min(n, size));
    poll(n, out);
    return out;
  }

  /**
   * Earliest enqueue time over queued samples (the head of each level), or Long.MAX_VALUE if empty.
   */
  public long oldestEnqueuedNanos() {
    long t = Long.MAX_VALUE;
    for (Level l : levels) {
      Sample s = l.peekLive();
      if (s != null) {
        t = Math.min(t, s.enqueuedNanos());
      }
    }
    return t;
  }

  /** Withdraws the still-queued samples of a request that failed or was cancelled. */
  public void withdraw(Request r) {
    for (Sample s : r.samples()) {
      if (s.queued) {
        s.queued = false;
        levels[levelOf(r) - 1].live--;
        size--;
      }
    }
  }

  /** Time of the next queue expiry (timeout or deadline), or Long.MAX_VALUE. */
  public long nextExpiryNanos() {
    Expiry e;
    while ((e = expiries.peek()) != null && !stillQueued(e.request)) {
      expiries.poll();
    }
    return e == null ? Long.MAX_VALUE : e.atNanos;
  }

  /** A request whose time ran out while queued, with why. */
  public record Expired(Request request, FailureReason reason) {}

  /**
   * Removes and returns requests whose queue timeout or deadline has passed at {@code nowNanos}. A
   * queue timeout only applies while none of the request's samples has started; a deadline always
   * applies.
   */
  public List<Expired> expire(long nowNanos) {
    List<Expired> out = new ArrayList<>();
    Expiry e;
    while ((e = expiries.peek()) != null && e.atNanos <= nowNanos) {
      expiries.poll();
      Request r = e.request;
      if (r.isFinished() || !stillQueued(r)) {
        continue;
      }
      if (e.reason == FailureReason.QUEUE_TIMEOUT && anyStarted(r)) {
        continue;
      }
      withdraw(r);
      out.add(new Expired(r, e.reason));
    }
    return out;
  }

  private static boolean stillQueued(Request r) {
    for (Sample s : r.samples()) {
      if (s.queued) {
        return true;
      }
    }
    return false;
  }

  private static boolean anyStarted(Request r) {
    for (Sample s : r.samples()) {
      if (s.firstStartNanos() >= 0) {
        return true;
      }
    }
    return false;
  }
}
