package io.edgenpu.scheduler.core;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Several {@link SchedulerListener}s behind one, each isolated: an exception from one listener is
 * logged and counted, and neither stops the others nor reaches the scheduler. A scheduler's
 * bookkeeping (the device busy flag, the running batch, the requests' answers) never depends on an
 * observer behaving.
 */
public final class IsolatedListeners implements SchedulerListener {
  private static final System.Logger LOG = System.getLogger(IsolatedListeners.class.getName());

  private final SchedulerListener[] listeners;
  private final AtomicLong failures = new AtomicLong();

  private IsolatedListeners(List<SchedulerListener> listeners) {
    this.listeners = listeners.toArray(new SchedulerListener[0]);
  }

  /** The listeners, in order, each isolated from the others and from the caller. */
  public static IsolatedListeners of(List<SchedulerListener> listeners) {
    return new IsolatedListeners(listeners);
  }

  /** Exceptions thrown by the listeners so far. */
  public long failures() {
    return failures.get();
  }

  private interface Call {
    void on(SchedulerListener l);
  }

  private void each(Call call) {
    for (SchedulerListener l : listeners) {
      try {
        call.on(l);
      } catch (RuntimeException e) {
        if (failures.incrementAndGet() <= 10 || failures.get() % 1000 == 0) {
          LOG.log(
              System.Logger.Level.ERROR,
              "scheduler listener "
                  + l.getClass().getName()
                  + " failed ("
                  + failures.get()
                  + " failures so far); the scheduler goes on",
              e);
        }
      }
    }
  }

  @Override
  public void onQueued(Request r, long now) {
    each(l -> l.onQueued(r, now));
  }

  @Override
  public void onAdmissionRefused(Request r, long predictedNanos, long now) {
    each(l -> l.onAdmissionRefused(r, predictedNanos, now));
  }

  @Override
  public void onRejected(Request r, FailureReason reason, long now) {
    each(l -> l.onRejected(r, reason, now));
  }

  @Override
  public void onStageStart(
      String model, int stage, int size, int masked, boolean catchUp, long now) {
    each(l -> l.onStageStart(model, stage, size, masked, catchUp, now));
  }

  @Override
  public void onBatchStart(StageBatch batch, long now) {
    each(l -> l.onBatchStart(batch, now));
  }

  @Override
  public void onBatchEnd(StageBatch batch, StageOutcome outcome, long now) {
    each(l -> l.onBatchEnd(batch, outcome, now));
  }

  @Override
  public void onStageEnd(
      String model, int stage, int size, long deviceNanos, boolean failed, long now) {
    each(l -> l.onStageEnd(model, stage, size, deviceNanos, failed, now));
  }

  @Override
  public void onSampleExit(Sample s, int stage, long now) {
    each(l -> l.onSampleExit(s, stage, now));
  }

  @Override
  public void onPreempt(String model, int stage, int live, int incoming, long now) {
    each(l -> l.onPreempt(model, stage, live, incoming, now));
  }

  @Override
  public void onMerge(String model, int stage, int mergedSize, long now) {
    each(l -> l.onMerge(model, stage, mergedSize, now));
  }

  @Override
  public void onResume(String model, int stage, long now) {
    each(l -> l.onResume(model, stage, now));
  }

  @Override
  public void onSampleDropped(Sample s, FailureReason reason, boolean whileRunning, long now) {
    each(l -> l.onSampleDropped(s, reason, whileRunning, now));
  }

  @Override
  public void onRequestFinished(Request r, long now) {
    each(l -> l.onRequestFinished(r, now));
  }
}
