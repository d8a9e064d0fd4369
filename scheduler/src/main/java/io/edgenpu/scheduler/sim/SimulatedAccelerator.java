package io.edgenpu.scheduler.sim;

import io.edgenpu.scheduler.core.Accelerator;
import io.edgenpu.scheduler.core.LatencyOracle;
import io.edgenpu.scheduler.core.Sample;
import io.edgenpu.scheduler.core.StageBatch;
import io.edgenpu.scheduler.core.StageOutcome;
import io.edgenpu.scheduler.loop.EventLoop;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A device in virtual time: each stage takes the time its model's cost table says for the batch
 * size (masked samples included, since they still occupy the device), plus a fixed overhead when a
 * preemption starts a catch-up group. Exits follow each sample's planned exit stage. No numbers are
 * computed. Single-threaded (the virtual loop).
 */
public final class SimulatedAccelerator implements Accelerator {
  private final EventLoop loop;
  private final Map<String, LatencyOracle> costs = new HashMap<>();
  private final long preemptionOverheadNanos;
  private long busyNanos;
  private long executions;

  /**
   * @param preemptionOverheadNanos extra device time charged when a catch-up group starts (suspend
   *     + later merge)
   */
  public SimulatedAccelerator(EventLoop loop, long preemptionOverheadNanos) {
    this.loop = loop;
    this.preemptionOverheadNanos = preemptionOverheadNanos;
  }

  /**
   * Sets the device cost table of a model (the truth, which may differ from the scheduler's
   * oracle).
   */
  public SimulatedAccelerator withModel(String model, LatencyOracle deviceCost) {
    costs.put(model, deviceCost);
    return this;
  }

  @Override
  public void execute(StageBatch batch, Consumer<StageOutcome> done) {
    LatencyOracle cost = costs.get(batch.model());
    if (cost == null) {
      throw new IllegalStateException("no cost table for model " + batch.model());
    }
    long t = cost.stageNanos(batch.stage(), batch.size());
    if (batch.catchUp() && batch.stage() == 0) {
      t += preemptionOverheadNanos;
    }
    List<Sample> samples = batch.samples();
    boolean[] exited = new boolean[samples.size()];
    for (int i = 0; i < exited.length; i++) {
      exited[i] = samples.get(i).plannedExitStage() == batch.stage();
    }
    busyNanos += t;
    executions++;
    long duration = t;
    loop.schedule(loop.now() + t, () -> done.accept(StageOutcome.success(exited, duration)));
  }

  /** Total device time spent, nanoseconds. */
  public long busyNanos() {
    return busyNanos;
  }

  public long executions() {
    return executions;
  }
}
