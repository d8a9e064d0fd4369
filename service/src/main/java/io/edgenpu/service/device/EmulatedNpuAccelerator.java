package io.edgenpu.service.device;

import io.edgenpu.npu.cost.CostModel;
import io.edgenpu.npu.cost.FluidTable;
import io.edgenpu.npu.cost.LayoutPolicy;
import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.scheduler.core.LatencyOracle;
import io.edgenpu.scheduler.core.StageBatch;
import io.edgenpu.scheduler.loop.EventLoop;
import io.edgenpu.service.backend.DeviceProgram;
import io.edgenpu.service.backend.ModelInstance;
import io.edgenpu.service.backend.SampleState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The emulated NPU as a device ({@link PacedAccelerator}): the time of each stage comes from the
 * NPU cost model (the model's {@link FluidTable} on this device's hardware profile). Reports MAC
 * utilisation, the stacking mode in use and modelled vs host time.
 */
public final class EmulatedNpuAccelerator extends PacedAccelerator {
  private final NpuProfile profile;
  private final Map<String, FluidTable> tables = new ConcurrentHashMap<>();
  private final AtomicLong usefulMacs = new AtomicLong();
  private final AtomicLong availableMacs = new AtomicLong();
  private final long[] stackingNanos = new long[9];
  private volatile int currentStacking = 1;
  private final Map<String, AtomicLong> precisionNanos = new LinkedHashMap<>();

  /**
   * @param timeScale multiplies modelled times (1 = the NPU's own speed; 10 = ten times slower); >
   *     0
   */
  public EmulatedNpuAccelerator(
      EventLoop loop, Executor compute, NpuProfile profile, double timeScale) {
    super(loop, compute, timeScale);
    this.profile = profile;
    for (String p : DeviceProgram.PRECISIONS) {
      precisionNanos.put(p, new AtomicLong());
    }
  }

  public NpuProfile profile() {
    return profile;
  }

  @Override
  public void add(ModelInstance model) {
    FluidTable table =
        FluidTable.build(
            new CostModel(profile),
            model.workload(),
            model.config().maxBatchSize(),
            LayoutPolicy.FLUID);
    tables.put(model.key(), table);
    super.add(model);
  }

  @Override
  public void remove(String modelKey) {
    super.remove(modelKey);
    tables.remove(modelKey);
  }

  /** The cost table of a model on this device, or null. */
  public @Nullable FluidTable table(String modelKey) {
    return tables.get(modelKey);
  }

  @Override
  public LatencyOracle oracleFor(ModelInstance m) {
    FluidTable t =
        FluidTable.build(
            new CostModel(profile), m.workload(), m.config().maxBatchSize(), LayoutPolicy.FLUID);
    return new LearnedLatencyOracle(
        m.plan().stageCount(),
        m.config().maxBatchSize(),
        (s, b) -> (int) scaled((double) t.stageNanos(s, b)));
  }

  @Override
  protected long modelledNanos(StageBatch batch, ModelInstance model) {
    FluidTable table = tables.get(batch.model());
    if (table == null) {
      return -1;
    }
    // Samples that are their own programs (NAWQ-SR tiles) carry their time; graph rows take the
    // cost table's.
    double programs = 0;
    List<SampleState> rows = new ArrayList<>();
    for (SampleState s : states(batch)) {
      if (s.program() != null) {
        programs += s.program().modelledNanos();
        precisionNanos
            .computeIfAbsent(s.program().precision(), p -> new AtomicLong())
            .addAndGet(Math.round(s.program().modelledNanos()));
      } else {
        rows.add(s);
      }
    }
    int b = rows.size();
    long modelled = Math.round(programs);
    if (b > 0) {
      long graphNanos = Math.round(table.stageNanos(batch.stage(), b) * model.workScale(rows));
      account(table, batch.stage(), b, graphNanos);
      modelled += graphNanos;
    }
    if (batch.catchUp() && batch.stage() == 0) {
      modelled += Math.round(profile.cyclesToNanos((double) profile.preemptionCycles()));
    }
    return modelled;
  }

  private void account(FluidTable table, int stage, int b, long modelled) {
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

  /**
   * Useful MACs / MAC slots over everything executed so far (the array's utilisation while busy).
   */
  public double macUtilization() {
    long a = availableMacs.get();
    return a == 0 ? 0 : (double) usefulMacs.get() / a;
  }

  /**
   * Modelled time of samples that ran as their own programs (NAWQ-SR tiles) in one precision,
   * nanoseconds; {@code precision} one of {@link
   * io.edgenpu.service.backend.DeviceProgram#PRECISIONS}.
   */
  public long precisionNanos(String precision) {
    AtomicLong ns = precisionNanos.get(precision);
    return ns == null ? 0 : ns.get();
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
}
