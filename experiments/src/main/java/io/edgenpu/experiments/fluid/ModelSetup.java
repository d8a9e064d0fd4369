package io.edgenpu.experiments.fluid;

import io.edgenpu.npu.cost.CostModel;
import io.edgenpu.npu.cost.FluidTable;
import io.edgenpu.npu.cost.LayoutPolicy;
import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.profile.NpuProfiles;
import io.edgenpu.npu.workload.Workload;
import io.edgenpu.scheduler.core.StagePlan;
import io.edgenpu.scheduler.core.TableLatencyOracle;
import io.edgenpu.scheduler.sim.ExitProcess;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model prepared for simulation: its stage plan, its exit process, and its stage-latency tables
 * on each NPU profile (computed once, shared by every run). Loads are defined against the baseline
 * NPU, so every system of a cell sees the same absolute arrival rate.
 */
public final class ModelSetup {
  public static final String BASELINE = "baseline-npu";

  private final String name;
  private final Workload workload;
  private final StagePlan plan;
  private final ExitProcess exits;
  private final int maxBatch;
  private final Map<String, TableLatencyOracle> tables = new HashMap<>();
  private final boolean perLayer;

  private ModelSetup(
      String name,
      Workload workload,
      boolean[] exitAfter,
      ExitProcess exits,
      int maxBatch,
      boolean perLayer) {
    this.name = name;
    this.workload = workload;
    this.plan = new StagePlan(exitAfter);
    this.exits = exits;
    this.maxBatch = maxBatch;
    this.perLayer = perLayer;
  }

  /**
   * The model with one scheduler step per layer (heads included; a head's last layer carries its
   * exit), for preemption at every layer. Each step costs what the layer costs inside its stage
   * (activations stay on chip as at stage level), so stage- and layer-level runs differ only by the
   * scheduler's decisions.
   */
  public static ModelSetup perLayer(
      String name, Workload stageWorkload, ExitProcess exits, int maxBatch) {
    List<Boolean> flags = new ArrayList<>();
    for (Workload.Stage s : stageWorkload.stages()) {
      int n = s.allLayers().size();
      for (int i = 0; i < n; i++) {
        flags.add(i == n - 1);
      }
    }
    boolean[] exitAfter = new boolean[flags.size()];
    for (int i = 0; i < exitAfter.length; i++) {
      exitAfter[i] = flags.get(i);
    }
    return new ModelSetup(name, stageWorkload, exitAfter, exits, maxBatch, true);
  }

  public static ModelSetup stageLevel(String name, Workload w, ExitProcess exits, int maxBatch) {
    boolean[] all = new boolean[w.stageCount()];
    Arrays.fill(all, true);
    return new ModelSetup(name, w, all, exits, maxBatch, false);
  }

  public String name() {
    return name;
  }

  public StagePlan plan() {
    return plan;
  }

  public ExitProcess exits() {
    return exits;
  }

  public int maxBatch() {
    return maxBatch;
  }

  public Workload workload() {
    return workload;
  }

  /**
   * Step-latency table on a profile, built once: a preset name, optionally with
   * {@code @switch=<cycles>} for a per-layer reconfiguration cost (the spec's O16 sensitivity run).
   */
  public synchronized TableLatencyOracle oracle(String profile) {
    return tables.computeIfAbsent(
        profile,
        p -> {
          NpuProfile np = profile(p);
          FluidTable t =
              FluidTable.build(new CostModel(np), workload, maxBatch, LayoutPolicy.FLUID);
          long[][] ns = new long[plan.stageCount()][maxBatch + 1];
          for (int b = 1; b <= maxBatch; b++) {
            if (!perLayer) {
              for (int s = 0; s < ns.length; s++) {
                ns[s][b] = t.stageNanos(s, b);
              }
            } else {
              int step = 0;
              for (int s = 0; s < workload.stageCount(); s++) {
                for (int i = 0; i < t.layerCount(s); i++) {
                  ns[step++][b] = Math.max(1, Math.round(t.layer(s, i, b).nanos()));
                }
              }
            }
          }
          return new TableLatencyOracle(ns);
        });
  }

  /**
   * A profile by spec: a preset name, optionally followed by {@value #FLUID_SUFFIX} (the same array
   * with stackable PEs k in {1, 2, 4, 8} and fluid batching added: the hardware comparison) and by
   * {@code @switch=<cycles>}.
   */
  static NpuProfile profile(String spec) {
    String[] parts = spec.split("@switch=", -1);
    String name = parts[0];
    NpuProfile p;
    if (name.endsWith(FLUID_SUFFIX)) {
      p =
          NpuProfiles.preset(name.substring(0, name.length() - FLUID_SUFFIX.length()))
              .withStacking(List.of(1, 2, 4, 8))
              .withFluidBatching(true)
              .withName(name);
    } else {
      p = NpuProfiles.preset(name);
    }
    return parts.length > 1 ? p.withReconfigurationCycles(Long.parseLong(parts[1])) : p;
  }

  /** Suffix of a profile spec that adds stackable PEs and fluid batching to a preset. */
  public static final String FLUID_SUFFIX = "+fluid";

  /** T_full(1): one sample through every stage on the baseline NPU, nanoseconds. */
  public long fullDepthNanos() {
    return oracle(baselineProfile).fullDepthNanos(plan, 1);
  }

  private String baselineProfile = BASELINE;

  /**
   * The same model whose loads and SLOs refer to another baseline profile (e.g. with a switch
   * cost).
   */
  public ModelSetup withBaseline(String profile, String newName) {
    ModelSetup m = new ModelSetup(newName, workload, exitFlags(), exits, maxBatch, perLayer);
    m.baselineProfile = profile;
    return m;
  }

  private boolean[] exitFlags() {
    boolean[] f = new boolean[plan.stageCount()];
    for (int s = 0; s < f.length; s++) {
      f[s] = plan.isExitPoint(s);
    }
    return f;
  }

  /**
   * μ*: the baseline NPU's best service rate, max over b <= B_max of b / E[batch time at b with
   * exits] (samples per second); it defines the load ρ = λ / μ*. The spec (O1) takes b = B_max,
   * which is the same when batching never hurts; on NPUs where large batches spill activations off
   * chip it is not (decision 6).
   */
  public double serviceRatePerSecond() {
    double best = 0;
    for (int b = 1; b <= maxBatch; b++) {
      best = Math.max(best, b / (expectedBatchNanos(baselineProfile, b) / 1e9));
    }
    return best;
  }

  /**
   * Expected time of a fresh batch of b samples through the model, exits taken (expected live
   * sizes).
   */
  public double expectedBatchNanos(String profile, int b) {
    TableLatencyOracle t = oracle(profile);
    double[] f = exits.cumulative();
    double alive = 1;
    double time = 0;
    int exit = 0;
    for (int s = 0; s < plan.stageCount(); s++) {
      int live = (int) Math.max(1, Math.round(b * alive));
      time += t.stageNanos(s, live);
      if (plan.isExitPoint(s)) {
        alive = 1 - f[exit++];
      }
    }
    return time;
  }
}
