package io.edgenpu.experiments.npu;

import io.edgenpu.npu.cost.CostModel;
import io.edgenpu.npu.cost.FluidTable;
import io.edgenpu.npu.cost.LayoutPolicy;
import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.workload.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Design-space exploration of docs/papers/fluid-batching.md: MAC budgets, array shapes (T_P x T_C),
 * row tiles T_R, stacking sets K and fluid batching on/off. Each design is scored by the model's
 * expected batch latency under a batch-size histogram, where a batch of b samples runs stage s with
 * round(b · S_s) live samples (S_s = share of samples still alive at stage s, from the model's exit
 * profile).
 */
public final class DesignSweep {
  /** One hardware design point. */
  public record Design(
      int macs,
      int tileRows,
      int tileDepth,
      int tileColumns,
      List<Integer> stacking,
      boolean fluid) {
    public String label() {
      return macs
          + "MAC "
          + tileDepth
          + "x"
          + tileColumns
          + " T_R="
          + tileRows
          + " K="
          + stacking
          + (fluid ? " FB" : "");
    }

    NpuProfile apply(NpuProfile base) {
      return base.withTiles(label(), tileRows, tileDepth, tileColumns)
          .withStacking(stacking)
          .withFluidBatching(fluid);
    }
  }

  /** A scored design: mean batch latency and per-sample latency (µs), mean MAC utilisation. */
  public record Score(
      Design design, double meanBatchLatencyUs, double perSampleUs, double utilization) {}

  private DesignSweep() {}

  /**
   * Every valid design for the given budgets and options (stacking factors must divide T_R and
   * T_C).
   */
  public static List<Design> designs(
      int[] budgets, int[] tileRows, List<List<Integer>> stackingSets) {
    List<Design> out = new ArrayList<>();
    for (int macs : budgets) {
      for (int tp = 8; tp <= 512; tp *= 2) {
        int tc = macs / tp;
        if (tc < 8 || tp * tc != macs) {
          continue;
        }
        for (int tr : tileRows) {
          for (List<Integer> k : stackingSets) {
            boolean ok = true;
            for (int f : k) {
              ok &= tr % f == 0 && tc % f == 0;
            }
            if (!ok) {
              continue;
            }
            for (boolean fb : new boolean[] {false, true}) {
              out.add(new Design(macs, tr, tp, tc, k, fb));
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * Scores a design on a workload under a batch-size distribution.
   *
   * @param histogram probability of each batch size, index = batch size (index 0 unused)
   * @param survival share of samples alive at the start of each stage (1 for stage 0)
   */
  public static Score score(
      Design d, NpuProfile base, Workload w, double[] histogram, double[] survival) {
    int maxBatch = histogram.length - 1;
    FluidTable t = FluidTable.build(new CostModel(d.apply(base)), w, maxBatch, LayoutPolicy.FLUID);
    double mean = 0;
    double samples = 0;
    double util = 0;
    for (int b = 1; b <= maxBatch; b++) {
      if (histogram[b] == 0) {
        continue;
      }
      double batchTime = 0;
      for (int s = 0; s < w.stageCount(); s++) {
        int live = (int) Math.round(b * survival[s]);
        if (live >= 1) {
          batchTime += t.stageNanos(s, live);
          util += histogram[b] * t.stageUtilization(s, live) / w.stageCount();
        }
      }
      mean += histogram[b] * batchTime;
      samples += histogram[b] * b;
    }
    return new Score(d, mean / 1e3, mean / samples / 1e3, util);
  }

  public static String csv(List<Score> scores) {
    StringBuilder sb =
        new StringBuilder(
            "macs,tile_rows,tile_depth,tile_columns,stacking,fluid_batching,mean_batch_latency_us,per_sample_us,mean_mac_utilization\n");
    for (Score s : scores) {
      Design d = s.design();
      sb.append(d.macs())
          .append(',')
          .append(d.tileRows())
          .append(',')
          .append(d.tileDepth())
          .append(',')
          .append(d.tileColumns())
          .append(',')
          .append(d.stacking().toString().replace(", ", "|").replace("[", "").replace("]", ""))
          .append(',')
          .append(d.fluid())
          .append(',')
          .append(
              String.format(
                  Locale.ROOT,
                  "%.3f,%.3f,%.4f",
                  s.meanBatchLatencyUs(),
                  s.perSampleUs(),
                  s.utilization()))
          .append('\n');
    }
    return sb.toString();
  }
}
