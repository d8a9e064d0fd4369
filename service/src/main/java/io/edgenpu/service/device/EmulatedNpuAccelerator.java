package io.edgenpu.service.device;

import io.edgenpu.npu.cost.CostModel;
import io.edgenpu.npu.cost.FluidTable;
import io.edgenpu.npu.cost.LayoutPolicy;
import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.scheduler.core.LatencyOracle;
import io.edgenpu.scheduler.core.StageBatch;
import io.edgenpu.scheduler.core.StageOutcome;
import io.edgenpu.scheduler.loop.EventLoop;
import io.edgenpu.service.backend.ModelInstance;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The emulated NPU as a device: the numbers come from ONNX Runtime (on the compute executor), the time from
 * the NPU cost model (the model's {@link FluidTable} on this device's hardware profile). Each stage holds
 * the device busy for exactly its modelled time times {@code timeScale}, paced on the device's event-loop
 * clock; when the host computes slower than the modelled NPU, the device is held until the numbers exist
 * and the overrun is counted. Reports utilisation, the stacking mode in use and modelled vs host time.
 */
public final class EmulatedNpuAccelerator extends OrtAccelerator {
  private final EventLoop loop;
  private final NpuProfile profile;
  private final double timeScale;
  private final Map<String, FluidTable> tables = new ConcurrentHashMap<>();
  private final AtomicLong modelledNanos = new AtomicLong();
  private final AtomicLong usefulMacs = new AtomicLong();
  private final AtomicLong availableMacs = new AtomicLong();
  private final AtomicLong overruns = new AtomicLong();
  private final long[] stackingNanos = new long[9];
  private volatile int currentStacking = 1;

  /** @param timeScale multiplies modelled times (1 = the NPU's own speed; 10 = ten times slower); > 0 */
  public EmulatedNpuAccelerator(EventLoop loop, Executor compute, NpuProfile profile, double timeScale) {
    super(compute);
    if (!(timeScale > 0)) {
      throw new IllegalArgumentException("time scale must be > 0");
    }
    this.loop = loop;
    this.profile = profile;
    this.timeScale = timeScale;
  }

  public NpuProfile profile() {
    return profile;
  }

  @Override
  public void add(ModelInstance model) {
    FluidTable table = FluidTable.build(new CostModel(profile), model.workload(), model.config().maxBatchSize(), LayoutPolicy.FLUID);
    tables.put(model.key(), table);
    super.add(model);
  }

  @Override
  public void remove(String modelKey) {
    super.remove(modelKey);
    tables.remove(modelKey);
  }

  /** The cost table of a model on this device, or null. */
  public FluidTable table(String modelKey) {
    return tables.get(modelKey);
  }

  @Override
  public LatencyOracle oracleFor(ModelInstance m) {
    FluidTable t = FluidTable.build(new CostModel(profile), m.workload(), m.config().maxBatchSize(), LayoutPolicy.FLUID);
    return new LearnedLatencyOracle(m.plan().stageCount(), m.config().maxBatchSize(),
        (s, b) -> (int) Math.min(Integer.MAX_VALUE, Math.round(t.stageNanos(s, b) * timeScale)));
  }

  @Override
  public void execute(StageBatch batch, Consumer<StageOutcome> done) {
    FluidTable table = tables.get(batch.model());
    if (table == null) {
      done.accept(StageOutcome.failed(new IllegalStateException("model " + batch.model() + " is not on this device"), 0));
      return;
    }
    long start = loop.now();
    int b = batch.size();
    ModelInstance model = models.get(batch.model());
    double scale = model == null ? 1.0 : model.workScale(states(batch));
    long modelled = Math.round(table.stageNanos(batch.stage(), b) * scale);
    if (batch.catchUp() && batch.stage() == 0) {
      modelled += Math.round(profile.cyclesToNanos(profile.preemptionCycles()));
    }
    long hold = Math.max(1, Math.round(modelled * timeScale));
    account(table, batch.stage(), b, modelled);
    super.execute(batch, outcome -> loop.execute(() -> {
      long due = start + hold;
      long now = loop.now();
      if (now >= due) {
        if (now > due) {
          overruns.incrementAndGet();
        }
        deliver(outcome, now - start, done);
      } else {
        loop.schedule(due, () -> deliver(outcome, hold, done));
      }
    }));
  }

  private void deliver(StageOutcome computed, long heldNanos, Consumer<StageOutcome> done) {
    busy.addAndGet(heldNanos);
    done.accept(new StageOutcome(computed.exited(), computed.failure(), heldNanos));
  }

  @Override
  protected void finished(StageBatch batch, boolean[] exited, long computeNanos, Throwable failure,
      Consumer<StageOutcome> done) {
    // Pacing happens in execute(); here only hand the computed numbers on (busy time is the held time).
    done.accept(failure == null ? StageOutcome.success(exited, computeNanos) : StageOutcome.failed(failure, computeNanos));
  }

  private void account(FluidTable table, int stage, int b, long modelled) {
    modelledNanos.addAndGet(modelled);
    int k = table.dominantStacking(stage, b);
    currentStacking = k;
    synchronized (stackingNanos) {
      stackingNanos[Math.min(k, stackingNanos.length - 1)] += modelled;
    }
    double util = table.stageUtilization(stage, b);
    long macs = 0;
    for (int i = 0; i < table.layerCount(stage); i++) {
      macs += table.layer(stage, i, b).usefulMacs();
    }
    usefulMacs.addAndGet(macs);
    availableMacs.addAndGet(util > 0 ? Math.round(macs / util) : 0);
  }

  /** Modelled NPU time spent, nanoseconds (not scaled). */
  public long modelledNanos() {
    return modelledNanos.get();
  }

  /** Useful MACs / MAC slots over everything executed so far (the array's utilisation while busy). */
  public double macUtilization() {
    long a = availableMacs.get();
    return a == 0 ? 0 : (double) usefulMacs.get() / a;
  }

  /** Stacking factor k of the stage executed last (by time share). */
  public int currentStacking() {
    return currentStacking;
  }

  /** Modelled time spent with each stacking factor as the dominant one, nanoseconds (index = k). */
  public long[] stackingNanos() {
    synchronized (stackingNanos) {
      return stackingNanos.clone();
    }
  }

  /** Stages whose host computation took longer than their modelled, scaled NPU time. */
  public long overruns() {
    return overruns.get();
  }
}
