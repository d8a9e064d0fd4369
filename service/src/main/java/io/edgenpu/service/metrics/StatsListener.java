package io.edgenpu.service.metrics;

import io.edgenpu.scheduler.core.SchedulerListener;
import io.edgenpu.service.inference.ModelStats;
import io.edgenpu.service.inference.StatsRegistry;

/**
 * Feeds device-side events (batches entering a model, stage executions) into the statistics
 * extension.
 */
public final class StatsListener implements SchedulerListener {
  private final StatsRegistry stats;

  public StatsListener(StatsRegistry stats) {
    this.stats = stats;
  }

  @Override
  public void onStageStart(
      String model, int stage, int size, int masked, boolean catchUp, long nowNanos) {
    if (stage == 0) {
      stats.forLane(model).recordExecution();
    }
  }

  @Override
  public void onStageEnd(
      String model, int stage, int size, long deviceNanos, boolean failed, long nowNanos) {
    if (!failed) {
      ModelStats s = stats.forLane(model);
      s.recordStage(size, deviceNanos);
    }
  }
}
