package io.edgenpu.experiments.npu;

import io.edgenpu.npu.cost.CostModel;
import io.edgenpu.npu.cost.FluidTable;
import io.edgenpu.npu.cost.LayerCost;
import io.edgenpu.npu.cost.LayoutPolicy;
import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.workload.Layer;
import io.edgenpu.npu.workload.Workload;
import java.util.List;
import java.util.Locale;

/**
 * The NPU report of a model on a profile: per layer and per stage, for every batch size 1..B_max,
 * the chosen layout, cycles, DRAM bytes, latency and MAC utilisation, next to the baseline layout
 * ⟨b,1,1⟩. Deterministic text (CSV), so a report can be checked in and compared byte for byte.
 */
public final class NpuReport {
  private final Workload workload;
  private final NpuProfile profile;
  private final FluidTable table;
  private final FluidTable baseline;

  public NpuReport(Workload workload, NpuProfile profile, int maxBatch, LayoutPolicy policy) {
    this.workload = workload;
    this.profile = profile;
    CostModel model = new CostModel(profile);
    this.table = FluidTable.build(model, workload, maxBatch, policy);
    this.baseline =
        FluidTable.build(
            new CostModel(profile.withStacking(List.of(1)).withFluidBatching(false)),
            workload,
            maxBatch,
            LayoutPolicy.R_BATCHING);
  }

  public FluidTable table() {
    return table;
  }

  /** One row per (stage, layer, batch size). */
  public String layersCsv() {
    StringBuilder sb =
        new StringBuilder(
            "stage,layer,name,op,rows,depth,columns,groups,batch,layout,cycles,dram_bytes,latency_us,mac_utilization,bound,baseline_latency_us,baseline_mac_utilization\n");
    for (int s = 0; s < workload.stageCount(); s++) {
      List<Layer> layers = workload.stages().get(s).allLayers();
      for (int i = 0; i < layers.size(); i++) {
        Layer l = layers.get(i);
        for (int b = 1; b <= table.maxBatch(); b++) {
          LayerCost c = table.layer(s, i, b);
          LayerCost base = baseline.layer(s, i, b);
          sb.append(s)
              .append(',')
              .append(i)
              .append(',')
              .append(l.name().replace(',', ';'))
              .append(',')
              .append(l.opType())
              .append(',')
              .append(l.rows())
              .append(',')
              .append(l.depth())
              .append(',')
              .append(l.columns())
              .append(',')
              .append(l.groups())
              .append(',')
              .append(b)
              .append(',')
              .append(l.isGemm() ? c.layout().toString() : "-")
              .append(',')
              .append(fmt(c.cycles(), 0))
              .append(',')
              .append(fmt(c.bytes(), 0))
              .append(',')
              .append(fmt(c.nanos() / 1e3, 4))
              .append(',')
              .append(fmt(c.macUtilization(), 4))
              .append(',')
              .append(!l.isGemm() ? "memory-op" : c.memoryBound() ? "memory" : "compute")
              .append(',')
              .append(fmt(base.nanos() / 1e3, 4))
              .append(',')
              .append(fmt(base.macUtilization(), 4))
              .append('\n');
        }
      }
    }
    return sb.toString();
  }

  /**
   * One row per (stage, batch size): latency, utilisation, dominant stacking factor, vs the
   * baseline NPU.
   */
  public String stagesCsv() {
    StringBuilder sb =
        new StringBuilder(
            "stage,batch,latency_us,per_sample_us,mac_utilization,dominant_stacking,baseline_latency_us,baseline_mac_utilization,speedup\n");
    for (int s = 0; s < workload.stageCount(); s++) {
      for (int b = 1; b <= table.maxBatch(); b++) {
        double t = table.stageNanos(s, b) / 1e3;
        double base = baseline.stageNanos(s, b) / 1e3;
        sb.append(s)
            .append(',')
            .append(b)
            .append(',')
            .append(fmt(t, 4))
            .append(',')
            .append(fmt(t / b, 4))
            .append(',')
            .append(fmt(table.stageUtilization(s, b), 4))
            .append(',')
            .append(table.dominantStacking(s, b))
            .append(',')
            .append(fmt(base, 4))
            .append(',')
            .append(fmt(baseline.stageUtilization(s, b), 4))
            .append(',')
            .append(fmt(base / t, 3))
            .append('\n');
      }
    }
    return sb.toString();
  }

  /**
   * A human-readable summary: per stage, latency at batch 1 and B_max on this profile and on the
   * baseline.
   */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "model %s on %s (%d MACs, T_R=%d, k in %s, fluid batching %s)%n",
            workload.model(),
            profile.name(),
            profile.macsPerCycle(),
            profile.tileRows(),
            profile.stackingFactors(),
            profile.fluidBatching() ? "on" : "off"));
    int max = table.maxBatch();
    sb.append(
        String.format(
            Locale.ROOT,
            "%-7s %7s %12s %12s %10s %12s %12s%n",
            "stage",
            "MMACs",
            "t(1) us",
            "t(" + max + ") us",
            "util(" + max + ")",
            "base t(1)",
            "base t(" + max + ")"));
    for (int s = 0; s < workload.stageCount(); s++) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-7d %7.2f %12.2f %12.2f %10.3f %12.2f %12.2f%n",
              s,
              workload.stages().get(s).macs() / 1e6,
              table.stageNanos(s, 1) / 1e3,
              table.stageNanos(s, max) / 1e3,
              table.stageUtilization(s, max),
              baseline.stageNanos(s, 1) / 1e3,
              baseline.stageNanos(s, max) / 1e3));
    }
    return sb.toString();
  }

  static String fmt(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
