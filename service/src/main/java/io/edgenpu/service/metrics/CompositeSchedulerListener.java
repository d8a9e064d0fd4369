package io.edgenpu.service.metrics;

import io.edgenpu.scheduler.core.FailureReason;
import io.edgenpu.scheduler.core.Request;
import io.edgenpu.scheduler.core.Sample;
import io.edgenpu.scheduler.core.SchedulerListener;
import io.edgenpu.scheduler.core.StageBatch;
import io.edgenpu.scheduler.core.StageOutcome;
import java.util.List;

/** Fans scheduler events out to several listeners, in order. */
public final class CompositeSchedulerListener implements SchedulerListener {
  private final SchedulerListener[] listeners;

  public CompositeSchedulerListener(List<SchedulerListener> listeners) {
    this.listeners = listeners.toArray(new SchedulerListener[0]);
  }

  @Override
  public void onQueued(Request r, long now) {
    for (SchedulerListener l : listeners) {
      l.onQueued(r, now);
    }
  }

  @Override
  public void onRejected(Request r, FailureReason reason, long now) {
    for (SchedulerListener l : listeners) {
      l.onRejected(r, reason, now);
    }
  }

  @Override
  public void onStageStart(String model, int stage, int size, int masked, boolean catchUp, long now) {
    for (SchedulerListener l : listeners) {
      l.onStageStart(model, stage, size, masked, catchUp, now);
    }
  }

  @Override
  public void onBatchStart(StageBatch batch, long now) {
    for (SchedulerListener l : listeners) {
      l.onBatchStart(batch, now);
    }
  }

  @Override
  public void onBatchEnd(StageBatch batch, StageOutcome outcome, long now) {
    for (SchedulerListener l : listeners) {
      l.onBatchEnd(batch, outcome, now);
    }
  }

  @Override
  public void onStageEnd(String model, int stage, int size, long deviceNanos, boolean failed, long now) {
    for (SchedulerListener l : listeners) {
      l.onStageEnd(model, stage, size, deviceNanos, failed, now);
    }
  }

  @Override
  public void onSampleExit(Sample s, int stage, long now) {
    for (SchedulerListener l : listeners) {
      l.onSampleExit(s, stage, now);
    }
  }

  @Override
  public void onPreempt(String model, int stage, int live, int incoming, long now) {
    for (SchedulerListener l : listeners) {
      l.onPreempt(model, stage, live, incoming, now);
    }
  }

  @Override
  public void onMerge(String model, int stage, int mergedSize, long now) {
    for (SchedulerListener l : listeners) {
      l.onMerge(model, stage, mergedSize, now);
    }
  }

  @Override
  public void onResume(String model, int stage, long now) {
    for (SchedulerListener l : listeners) {
      l.onResume(model, stage, now);
    }
  }

  @Override
  public void onSampleDropped(Sample s, FailureReason reason, boolean whileRunning, long now) {
    for (SchedulerListener l : listeners) {
      l.onSampleDropped(s, reason, whileRunning, now);
    }
  }

  @Override
  public void onRequestFinished(Request r, long now) {
    for (SchedulerListener l : listeners) {
      l.onRequestFinished(r, now);
    }
  }
}
