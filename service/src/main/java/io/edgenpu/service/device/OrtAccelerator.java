package io.edgenpu.service.device;

import io.edgenpu.scheduler.core.LatencyOracle;
import io.edgenpu.scheduler.core.Sample;
import io.edgenpu.scheduler.core.StageBatch;
import io.edgenpu.scheduler.core.StageOutcome;
import io.edgenpu.service.backend.ModelInstance;
import io.edgenpu.service.backend.SampleState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Real compute on ONNX Runtime (the CPU here; the CUDA execution provider where a GPU exists): each
 * stage runs on the bounded compute executor, never on an event loop; the device time reported is
 * the measured wall time. Its latency oracle learns from those measurements.
 */
public class OrtAccelerator implements ModelAccelerator {
  /**
   * Prior throughput for a CPU before anything is measured: a guess, replaced by measurements at
   * once.
   */
  static final double PRIOR_MACS_PER_SECOND = 20e9;

  static final long PRIOR_OVERHEAD_NANOS = 50_000;

  protected final Map<String, ModelInstance> models = new ConcurrentHashMap<>();
  protected final Executor compute;
  protected final AtomicLong busy = new AtomicLong();

  public OrtAccelerator(Executor compute) {
    this.compute = compute;
  }

  @Override
  public void add(ModelInstance model) {
    models.put(model.key(), model);
  }

  @Override
  public void remove(String modelKey) {
    models.remove(modelKey);
  }

  @Override
  public LatencyOracle oracleFor(ModelInstance m) {
    long[] macs = new long[m.plan().stageCount()];
    try {
      for (int s = 0; s < macs.length; s++) {
        macs[s] = m.workload().stages().get(s).macs();
      }
    } catch (IllegalArgumentException e) {
      // No workload for this graph: start from the overhead alone; measurements take over at once.
    }
    return new LearnedLatencyOracle(
        m.plan().stageCount(),
        m.config().maxBatchSize(),
        (s, b) ->
            (int)
                Math.min(
                    Integer.MAX_VALUE,
                    PRIOR_OVERHEAD_NANOS + macs[s] * b / PRIOR_MACS_PER_SECOND * 1e9));
  }

  @Override
  public long busyNanos() {
    return busy.get();
  }

  @Override
  public void execute(StageBatch batch, Consumer<StageOutcome> done) {
    ModelInstance m = models.get(batch.model());
    if (m == null) {
      done.accept(
          StageOutcome.failed(
              new IllegalStateException("model " + batch.model() + " is not on this device"), 0));
      return;
    }
    List<SampleState> states = states(batch);
    try {
      compute.execute(
          () -> {
            long t0 = System.nanoTime();
            try {
              boolean[] exited = m.runStage(batch.stage(), states);
              long elapsed = System.nanoTime() - t0;
              finished(batch, exited, elapsed, null, done);
            } catch (Exception | LinkageError e) {
              finished(batch, null, System.nanoTime() - t0, e, done);
            }
          });
    } catch (RejectedExecutionException e) {
      done.accept(
          StageOutcome.failed(new IllegalStateException("compute executor is saturated"), 0));
    }
  }

  /** Called on the compute thread when a stage's numbers are ready. */
  protected void finished(
      StageBatch batch,
      boolean @Nullable [] exited,
      long computeNanos,
      @Nullable Throwable failure,
      Consumer<StageOutcome> done) {
    busy.addAndGet(computeNanos);
    done.accept(
        failure == null
            ? StageOutcome.success(Objects.requireNonNull(exited), computeNanos)
            : StageOutcome.failed(failure, computeNanos));
  }

  static List<SampleState> states(StageBatch batch) {
    List<SampleState> states = new ArrayList<>(batch.size());
    for (Sample s : batch.samples()) {
      states.add((SampleState) s.state());
    }
    return states;
  }
}
