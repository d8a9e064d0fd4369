package io.edgenpu.experiments.fabnet;

import io.edgenpu.npu.butterfly.ButterflyCostModel;
import io.edgenpu.npu.butterfly.ButterflyNetwork;
import io.edgenpu.npu.butterfly.ButterflyProfiles;
import io.edgenpu.npu.butterfly.ButterflyReferenceTable;
import io.edgenpu.npu.butterfly.FabnetFormulas;
import java.util.List;
import java.util.Locale;

/**
 * The deterministic tables of {@code docs/results/fabnet} (pure functions of the formulas and the
 * cost model; a golden test compares them with the checked-in files).
 */
public final class FabnetTables {
  /**
   * The paper's reductions for the LRA configurations (docs/papers/fabnet.md), in {@link
   * FabnetFormulas#LRA} order.
   */
  static final double[] SPEC_FLOP_REDUCTION = {23.4, 57.3, 9.9, 61.0, 10.2};

  static final double[] SPEC_PARAM_REDUCTION = {5.6, 3.4, 2.1, 22.3, 3.7};

  /** Our served ListOps models' shape: d 64, FFN 128, 2 blocks, 2 heads for the Transformer. */
  static final int HIDDEN = 64;

  static final int FFN = 128;
  static final int BLOCKS = 2;
  static final int HEADS = 2;

  private FabnetTables() {}

  static String f(double v, int digits) {
    return String.format(Locale.ROOT, "%." + digits + "f", v);
  }

  /**
   * FLOPs and parameters of the vanilla Transformer vs FABNet per LRA configuration, with the
   * spec's ratios.
   */
  public static String flopsAndParamsCsv() {
    StringBuilder b =
        new StringBuilder(
            "task,length,fabnet_d,fabnet_h,fabnet_layers,transformer_flops,fabnet_flops,"
                + "flop_reduction,spec_flop_reduction,transformer_params,fabnet_params,param_reduction,spec_param_reduction\n");
    for (int i = 0; i < FabnetFormulas.LRA.size(); i++) {
      FabnetFormulas.Task t = FabnetFormulas.LRA.get(i);
      b.append(t.name())
          .append(',')
          .append(t.length())
          .append(',')
          .append(t.d())
          .append(',')
          .append(t.h())
          .append(',')
          .append(t.layers())
          .append(',')
          .append(f(FabnetFormulas.transformerFlops(t.length(), 64, 128, 2), 0))
          .append(',')
          .append(f(FabnetFormulas.fabnetFlops(t.length(), t.d(), t.h(), t.layers()), 0))
          .append(',')
          .append(f(FabnetFormulas.flopReduction(t), 1))
          .append(',')
          .append(f(SPEC_FLOP_REDUCTION[i], 1))
          .append(',')
          .append(f(FabnetFormulas.transformerParams(64, 128, 2), 0))
          .append(',')
          .append(f(FabnetFormulas.fabnetParams(t.length(), t.d(), t.h(), t.layers()), 0))
          .append(',')
          .append(f(FabnetFormulas.paramReduction(t), 1))
          .append(',')
          .append(f(SPEC_PARAM_REDUCTION[i], 1))
          .append('\n');
    }
    return b.toString();
  }

  /**
   * The reference simulator's table vs our model (legacy mode, which reproduces it, and the exact
   * mode).
   */
  public static String acceleratorReferenceCsv() {
    StringBuilder b =
        new StringBuilder(
            "profile,size,length,reference_ms,modelled_legacy_ms,error_pct,modelled_exact_ms\n");
    for (ButterflyReferenceTable.Entry e : ButterflyReferenceTable.ENTRIES) {
      double legacy = e.modelledMillis(ButterflyCostModel.Mode.LEGACY_SEQUENCE_PASS);
      double exact = e.modelledMillis(ButterflyCostModel.Mode.EXACT);
      b.append(e.profile())
          .append(',')
          .append(e.size())
          .append(',')
          .append(e.length())
          .append(',')
          .append(f(e.millis(), 2))
          .append(',')
          .append(f(legacy, 3))
          .append(',')
          .append(f(100 * (legacy - e.millis()) / e.millis(), 2))
          .append(',')
          .append(f(exact, 3))
          .append('\n');
    }
    return b.toString();
  }

  /**
   * Modelled latency of our ListOps FABNet and dense Transformer shapes on both accelerators (EXACT
   * mode), µs.
   */
  public static String acceleratorListOpsCsv(List<Integer> lengths, List<Integer> batches) {
    StringBuilder b =
        new StringBuilder(
            "profile,length,batch,fabnet_us,transformer_us,transformer_over_fabnet\n");
    for (String profile : ButterflyProfiles.PRESETS) {
      ButterflyCostModel m = new ButterflyCostModel(ButterflyProfiles.preset(profile));
      for (int length : lengths) {
        for (int batch : batches) {
          double fab =
              modelledMicros(m, ButterflyNetwork.fabnet(length, HIDDEN, FFN, BLOCKS), batch);
          double dense =
              modelledMicros(
                  m, ButterflyNetwork.transformer(length, HIDDEN, FFN, BLOCKS, HEADS), batch);
          b.append(profile)
              .append(',')
              .append(length)
              .append(',')
              .append(batch)
              .append(',')
              .append(f(fab, 1))
              .append(',')
              .append(f(dense, 1))
              .append(',')
              .append(f(dense / fab, 2))
              .append('\n');
        }
      }
    }
    return b.toString();
  }

  static double modelledMicros(ButterflyCostModel m, ButterflyNetwork net, int batch) {
    return m.networkNanos(net, batch, ButterflyCostModel.Mode.EXACT) / 1e3;
  }
}
