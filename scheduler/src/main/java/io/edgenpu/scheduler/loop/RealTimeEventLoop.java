package io.edgenpu.scheduler.loop;

import io.edgenpu.scheduler.clock.Clock;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An event loop on its own platform thread, driven by a real clock.
 *
 * <p>Nothing handed to it is ever dropped: a task that throws is reported to the {@link System.Logger} and
 * counted ({@link #failedTasks()}), and the loop goes on; {@link #close()} runs every task submitted before
 * it, then stops the thread; a task submitted after the loop has stopped runs at once on the submitting
 * thread, one at a time (so a scheduler can still answer what reaches it during shutdown). Timers that
 * are not due when the loop stops never run, and timers scheduled after it stopped are ignored.
 */
public final class RealTimeEventLoop implements EventLoop, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RealTimeEventLoop.class.getName());

  private final Clock clock;
  private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
  private final TimerQueue timers = new TimerQueue();
  private final Thread thread;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicLong failed = new AtomicLong();
  private final Object afterStop = new Object();
  private volatile boolean running = true;
  private volatile boolean dead;

  public RealTimeEventLoop(String name, Clock clock) {
    this.clock = clock;
    this.thread = new Thread(this::run, name);
    this.thread.setDaemon(true);
    this.thread.start();
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
    LockSupport.unpark(thread);
    if (dead) {
      // The loop stopped between the check and the add: run whatever it left behind here.
      drainAfterStop();
    }
  }

  /** Schedules a timer; after the loop has stopped, timers never run and this returns a no-op handle. */
  @Override
  public Cancellable schedule(long atNanos, Runnable task) {
    if (dead) {
      return Cancellable.NONE;
    }
    if (!inLoop()) {
      throw new IllegalStateException("schedule() must be called from the loop thread");
    }
    return timers.add(atNanos, task);
  }

  @Override
  public boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /** Tasks that threw so far (each was logged; the loop went on). */
  public long failedTasks() {
    return failed.get();
  }

  private void run() {
    try {
      while (running) {
        Runnable task;
        while ((task = inbox.poll()) != null) {
          runSafely(task);
        }
        if (!running) {
          break;
        }
        long now = clock.nanoTime();
        TimerQueue.Timer t;
        while (running && (t = timers.peek()) != null && t.atNanos <= now) {
          timers.poll();
          Runnable timerTask = t.task;
          t.task = null;
          runSafely(timerTask);
          now = clock.nanoTime();
        }
        if (!running || !inbox.isEmpty()) {
          continue;
        }
        TimerQueue.Timer next = timers.peek();
        if (next == null) {
          LockSupport.park(this);
        } else {
          long wait = next.atNanos - clock.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(this, wait);
          }
        }
      }
      // Everything submitted before close() runs before the thread ends.
      Runnable task;
      while ((task = inbox.poll()) != null) {
        runSafely(task);
      }
    } finally {
      dead = true;
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
   * Runs every task submitted so far, then stops the thread (waiting up to 5 s for it when called from
   * another thread). Tasks submitted afterwards run on their submitter's thread.
   */
  @Override
  public void close() {
    execute(() -> running = false);
    if (!inLoop()) {
      try {
        stopped.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
