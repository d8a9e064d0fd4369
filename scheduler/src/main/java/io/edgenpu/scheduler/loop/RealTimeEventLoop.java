package io.edgenpu.scheduler.loop;

import io.edgenpu.scheduler.clock.Clock;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * An event loop on a real clock that runs its tasks one at a time, in order, but not always on its
 * own thread: a thread that submits a task while the loop is idle runs it at once, and whatever
 * else is queued meanwhile, before it returns ("run to completion", as a serializing executor
 * does). Only when another thread is running the loop's tasks is the task queued for it. So a
 * request that arrives at an idle device is scheduled on the thread that decoded it, and a stage's
 * completion is handled on the thread that computed it, without two thread hand-overs per request;
 * the loop's own thread (its <em>home</em>) runs the timers and takes over when a submitting thread
 * has run {@link #BORROWED_TASKS} tasks.
 *
 * <p>Contract, as {@link EventLoop}: one task at a time (each task happens-before the next),
 * submission order for {@link #execute}, time order for timers; {@link #inLoop()} is true on
 * whichever thread runs the loop's tasks now. Tasks must not block.
 *
 * <p>Nothing handed to it is ever dropped: a task that throws is reported to the {@link
 * System.Logger} and counted ({@link #failedTasks()}), and the loop goes on; {@link #close()} runs
 * every task submitted before it, then stops the home thread; a task submitted after that runs at
 * once on the submitting thread, one at a time. Timers that are not due when the loop stops never
 * run, and timers scheduled after it stopped are ignored.
 */
public final class RealTimeEventLoop implements EventLoop, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RealTimeEventLoop.class.getName());

  /** Tasks a submitting thread runs before it hands the rest to the home thread. */
  static final int BORROWED_TASKS = 32;

  private final Clock clock;
  private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
  private final TimerQueue timers = new TimerQueue();
  private final AtomicReference<Thread> runner = new AtomicReference<>();
  private final Thread home;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicLong failed = new AtomicLong();
  private final Object afterStop = new Object();

  /**
   * When the earliest live timer is due (Long.MAX_VALUE: none); written by the runner, read by
   * home.
   */
  private volatile long nextTimerNanos = Long.MAX_VALUE;

  /**
   * When home plans to wake up on its own; a runner that makes a timer earlier than this wakes it.
   */
  private volatile long homeWakeNanos = Long.MAX_VALUE;

  private volatile boolean running = true;
  private volatile boolean dead;

  public RealTimeEventLoop(String name, Clock clock) {
    this.clock = clock;
    this.home = new Thread(this::homeLoop, name);
    this.home.setDaemon(true);
    this.home.start();
  }

  public RealTimeEventLoop(String name) {
    this(name, Clock.system());
  }

  @Override
  public long now() {
    return clock.nanoTime();
  }

  @Override
  public void execute(Runnable task) {
    if (dead) {
      runAfterStop(task);
      return;
    }
    inbox.add(task);
    if (dead) {
      drainAfterStop(); // the loop stopped between the check and the add: run what it left behind
      // here
      return;
    }
    if (Thread.currentThread() != home && runner.get() == null) {
      runBorrowed();
    } else if (runner.get() == null) {
      LockSupport.unpark(home);
    }
  }

  /**
   * Schedules a timer; after the loop has stopped, timers never run and this returns a no-op
   * handle.
   */
  @Override
  public Cancellable schedule(long atNanos, Runnable task) {
    if (dead) {
      return Cancellable.NONE;
    }
    if (!inLoop()) {
      throw new IllegalStateException("schedule() must be called from a task of the loop");
    }
    return timers.add(atNanos, task);
  }

  @Override
  public boolean inLoop() {
    return runner.get() == Thread.currentThread();
  }

  /** Tasks that threw so far (each was logged; the loop went on). */
  public long failedTasks() {
    return failed.get();
  }

  /**
   * A submitting thread runs the queue while the loop is idle, up to {@link #BORROWED_TASKS} tasks.
   */
  private void runBorrowed() {
    Thread me = Thread.currentThread();
    while (runner.compareAndSet(null, me)) {
      boolean more;
      try {
        more = runQueued(BORROWED_TASKS);
      } finally {
        finishRun();
      }
      if (more) {
        LockSupport.unpark(home); // a long burst: the home thread takes over
        return;
      }
      if (inbox.isEmpty()) {
        return;
      }
    }
  }

  /**
   * Runs queued tasks (at most {@code budget}) and due timers; returns whether work is left. Call
   * holding the runner role.
   */
  private boolean runQueued(int budget) {
    int n = 0;
    while (running) {
      Runnable task = inbox.poll();
      if (task != null) {
        runSafely(task);
        if (++n >= budget) {
          return !inbox.isEmpty() || timerDue();
        }
        continue;
      }
      TimerQueue.Timer t = timers.peek();
      if (t == null || t.atNanos > clock.nanoTime()) {
        return false;
      }
      timers.poll();
      runSafely(t.fire());
      if (++n >= budget) {
        return !inbox.isEmpty() || timerDue();
      }
    }
    return false;
  }

  private boolean timerDue() {
    TimerQueue.Timer t = timers.peek();
    return t != null && t.atNanos <= clock.nanoTime();
  }

  /**
   * Publishes when the next timer is due, gives up the runner role, and wakes home if it must act
   * earlier.
   */
  private void finishRun() {
    TimerQueue.Timer next = timers.peek();
    long at = next == null ? Long.MAX_VALUE : next.atNanos;
    nextTimerNanos = at;
    runner.set(null);
    if (Thread.currentThread() != home && at < homeWakeNanos) {
      LockSupport.unpark(home);
    }
  }

  private void homeLoop() {
    try {
      while (running) {
        if (runner.compareAndSet(null, home)) {
          try {
            runQueued(Integer.MAX_VALUE);
          } finally {
            finishRun();
          }
        }
        if (!running) {
          break;
        }
        if (!inbox.isEmpty() && runner.get() == null) {
          continue;
        }
        long wakeAt = nextTimerNanos;
        homeWakeNanos = wakeAt;
        if (!inbox.isEmpty() && runner.get() == null) {
          homeWakeNanos = Long.MAX_VALUE;
          continue;
        }
        long wait = wakeAt == Long.MAX_VALUE ? Long.MAX_VALUE : wakeAt - clock.nanoTime();
        if (wait == Long.MAX_VALUE) {
          LockSupport.park(this);
        } else if (wait > 0) {
          LockSupport.parkNanos(this, wait);
        }
        homeWakeNanos = Long.MAX_VALUE;
      }
      // Everything submitted before close() runs before the home thread ends.
      while (!runner.compareAndSet(null, home)) {
        Thread.onSpinWait();
      }
      Runnable task;
      while ((task = inbox.poll()) != null) {
        runSafely(task);
      }
    } finally {
      dead = true;
      runner.set(null);
      stopped.countDown();
      drainAfterStop();
    }
  }

  private void runAfterStop(Runnable task) {
    synchronized (afterStop) {
      drainInbox();
      runSafely(task);
    }
  }

  private void drainAfterStop() {
    synchronized (afterStop) {
      drainInbox();
    }
  }

  private void drainInbox() {
    Runnable task;
    while ((task = inbox.poll()) != null) {
      runSafely(task);
    }
  }

  private void runSafely(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      failed.incrementAndGet();
      LOG.log(System.Logger.Level.ERROR, "event-loop task failed", e);
    }
  }

  /**
   * Runs every task submitted so far, then stops the home thread (waiting up to 5 s for it when
   * called from another thread). Tasks submitted afterwards run on their submitter's thread.
   */
  @Override
  public void close() {
    execute(() -> running = false);
    LockSupport.unpark(home);
    if (Thread.currentThread() != home) {
      try {
        stopped.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
