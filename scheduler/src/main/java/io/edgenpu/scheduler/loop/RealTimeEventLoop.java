package io.edgenpu.scheduler.loop;

import io.edgenpu.scheduler.clock.Clock;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * An event loop on its own platform thread, driven by a real clock. Tasks that throw are reported to the
 * {@link System.Logger} and do not stop the loop. {@link #close()} stops the thread after the current task;
 * tasks still queued are dropped.
 */
public final class RealTimeEventLoop implements EventLoop, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RealTimeEventLoop.class.getName());

  private final Clock clock;
  private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
  private final TimerQueue timers = new TimerQueue();
  private final Thread thread;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;

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
    inbox.add(task);
    LockSupport.unpark(thread);
  }

  @Override
  public Cancellable schedule(long atNanos, Runnable task) {
    if (!inLoop()) {
      throw new IllegalStateException("schedule() must be called from the loop thread");
    }
    return timers.add(atNanos, task);
  }

  @Override
  public boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  private void run() {
    try {
      while (running) {
        Runnable task;
        while (running && (task = inbox.poll()) != null) {
          runSafely(task);
        }
        long now = clock.nanoTime();
        TimerQueue.Timer t;
        while (running && (t = timers.peek()) != null && t.atNanos <= now) {
          timers.poll();
          runSafely(t.task);
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
    } finally {
      stopped.countDown();
    }
  }

  private static void runSafely(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      LOG.log(System.Logger.Level.ERROR, "event-loop task failed", e);
    }
  }

  @Override
  public void close() {
    running = false;
    LockSupport.unpark(thread);
    if (!inLoop()) {
      try {
        stopped.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
