package io.edgenpu.service.inference;

import io.edgenpu.scheduler.core.Request;
import io.edgenpu.scheduler.core.Sample;
import io.edgenpu.scheduler.core.SchedulerListener;
import io.edgenpu.scheduler.core.StageBatch;
import io.edgenpu.scheduler.core.StageOutcome;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Feeds scheduler events into the {@link RequestTimeline} of requests that asked for one (their
 * {@link Request#attachment()}). Requests without a timeline cost one type check per sample per
 * batch.
 */
public final class TimelineRecorder implements SchedulerListener {
  private static @Nullable RequestTimeline timeline(Request r) {
    return r.attachment() instanceof RequestTimeline t ? t : null;
  }

  @Override
  public void onQueued(Request r, long nowNanos) {
    RequestTimeline t = timeline(r);
    if (t != null) {
      t.add(nowNanos, "queued", Map.of("priority", r.priority(), "samples", r.sampleCount()));
    }
  }

  @Override
  public void onBatchStart(StageBatch batch, long nowNanos) {
    for (Sample s : batch.samples()) {
      RequestTimeline t = timeline(s.request());
      if (t != null) {
        t.add(
            nowNanos,
            "stage_start",
            Map.of(
                "sample",
                s.index(),
                "stage",
                batch.stage(),
                "batch",
                batch.size(),
                "catch_up",
                batch.catchUp()));
      }
    }
  }

  @Override
  public void onBatchEnd(StageBatch batch, StageOutcome outcome, long nowNanos) {
    for (Sample s : batch.samples()) {
      RequestTimeline t = timeline(s.request());
      if (t != null) {
        t.add(
            nowNanos,
            "stage_end",
            Map.of(
                "sample",
                s.index(),
                "stage",
                batch.stage(),
                "device_us",
                Math.round(outcome.deviceNanos() / 1e2) / 10.0,
                "ok",
                outcome.failure() == null));
      }
    }
  }

  @Override
  public void onSampleExit(Sample s, int stage, long nowNanos) {
    RequestTimeline t = timeline(s.request());
    if (t != null) {
      t.add(nowNanos, "exit", Map.of("sample", s.index(), "stage", stage));
    }
  }
}
