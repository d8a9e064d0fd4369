package io.edgenpu.scheduler.loop;

import java.util.PriorityQueue;

/** Timers ordered by (time, sequence number), so that ties run in the order they were scheduled. Not thread-safe. */
final class TimerQueue {
  static final class Timer implements Cancellable, Comparable<Timer> {
    final long atNanos;
    final long seq;
    final Runnable task;
    boolean cancelled;

    Timer(long atNanos, long seq, Runnable task) {
      this.atNanos = atNanos;
      this.seq = seq;
      this.task = task;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }

    @Override
    public int compareTo(Timer o) {
      int c = Long.compare(atNanos, o.atNanos);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final PriorityQueue<Timer> heap = new PriorityQueue<>();
  private long seq;

  Timer add(long atNanos, Runnable task) {
    Timer t = new Timer(atNanos, seq++, task);
    heap.add(t);
    return t;
  }

  /** Earliest live timer, dropping cancelled ones; null when empty. */
  Timer peek() {
    Timer t = heap.peek();
    while (t != null && t.cancelled) {
      heap.poll();
      t = heap.peek();
    }
    return t;
  }

  Timer poll() {
    Timer t = peek();
    if (t != null) {
      heap.poll();
    }
    return t;
  }

  int size() {
    return heap.size();
  }
}
