package io.edgenpu.scheduler.loop;

import java.util.Objects;
import java.util.PriorityQueue;
import org.jspecify.annotations.Nullable;

/**
 * Timers ordered by (time, sequence number), so that ties run in the order they were scheduled. Not
 * thread-safe: used by one loop. A cancelled timer lets go of its task at once (a cancelled stage
 * time limit must not keep its batch's tensors alive until it would have fired), and the heap is
 * rebuilt without cancelled timers when they are more than half of it.
 */
final class TimerQueue {
  static final class Timer implements Cancellable, Comparable<Timer> {
    final long atNanos;
    final long seq;
    private final TimerQueue owner;

    /** Null once the timer fired or was cancelled. */
    private @Nullable Runnable task;

    Timer(long atNanos, long seq, Runnable task, TimerQueue owner) {
      this.atNanos = atNanos;
      this.seq = seq;
      this.task = task;
      this.owner = owner;
    }

    boolean cancelled() {
      return task == null;
    }

    /**
     * The task of a live timer, which now counts as fired; call once, on a timer from {@link
     * #poll}.
     */
    Runnable fire() {
      Runnable r = Objects.requireNonNull(task, "the timer already fired or was cancelled");
      task = null;
      return r;
    }

    @Override
    public void cancel() {
      if (task != null) {
        task = null;
        owner.cancelled++;
      }
    }

    @Override
    public int compareTo(Timer o) {
      int c = Long.compare(atNanos, o.atNanos);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private PriorityQueue<Timer> heap = new PriorityQueue<>();
  private long seq;
  private int cancelled;

  Timer add(long atNanos, Runnable task) {
    Timer t = new Timer(atNanos, seq++, task, this);
    heap.add(t);
    if (cancelled > 64 && cancelled > heap.size() / 2) {
      purge();
    }
    return t;
  }

  private void purge() {
    PriorityQueue<Timer> live = new PriorityQueue<>(Math.max(1, heap.size() - cancelled));
    for (Timer t : heap) {
      if (!t.cancelled()) {
        live.add(t);
      }
    }
    heap = live;
    cancelled = 0;
  }

  /** Earliest live timer, dropping cancelled ones; null when empty. */
  @Nullable Timer peek() {
    Timer t = heap.peek();
    while (t != null && t.cancelled()) {
      heap.poll();
      cancelled--;
      t = heap.peek();
    }
    return t;
  }

  /**
   * Removes and returns the earliest live timer; it counts as fired (cancelling it later does
   * nothing).
   */
  @Nullable Timer poll() {
    Timer t = peek();
    if (t != null) {
      heap.poll();
    }
    return t;
  }

  /** Timers held, live and cancelled. */
  int size() {
    return heap.size();
  }
}
