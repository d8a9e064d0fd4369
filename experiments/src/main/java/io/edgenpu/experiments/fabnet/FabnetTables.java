package io.edgenpu.experiments.fabnet;

import io.edgenpu.npu.butterfly.ButterflyCostModel;
import io.edgenpu.npu.butterfly.ButterflyNetwork;
import io.edgenpu.npu.butterfly.ButterflyProfile;
import io.edgenpu.npu.butterfly.ButterflyProfiles;
import io.edgenpu.npu.butterfly.ButterflyReferenceTable;
import io.edgenpu.npu.butterfly.EqualBudgetDenseEngine;
import io.edgenpu.npu.butterfly.FabnetFormulas;
import java.util.List;
import java.util.Locale;

/**
 * The deterministic tables of {@code docs/results/fabnet} (pure functions of the formulas and the
 * cost model; a golden test compares them with the checked-in files).
 */
public final class FabnetTables {
  /**
   * The reductions that an independent run of the authors' FLOP-count script gave for the LRA
   * configurations (docs/papers/fabnet.md), in {@link FabnetFormulas#LRA} order: a check of our
   * implementation of the formulas, not a measurement. The paper itself states ranges only (10-66x
   * FLOPs, 2-22x parameters).
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
                + "flop_reduction,script_run_flop_reduction,transformer_params,fabnet_params,param_reduction,"
                + "script_run_param_reduction\n");
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

  /** A FABNet and the Transformer it replaces, of equal width, depth and heads. */
  record Pair(String name, int hidden, int ffn, int blocks, int heads) {}

  /**
   * FABNet-Base/Large against BERT-Base/Large (docs/papers/fabnet.md; the sizes of the paper's
   * speed runs) and our served ListOps shape.
   */
  /** The paper's speed-run lengths (128-1024) and our longest served one. */
  static final List<Integer> EQUAL_BUDGET_LENGTHS = List.of(128, 256, 512, 1024, 2048);

  static final List<Pair> EQUAL_BUDGET_PAIRS =
      List.of(
          new Pair("base", 768, 3072, 12, 12),
          new Pair("large", 1024, 4096, 24, 16),
          new Pair("listops", HIDDEN, FFN, BLOCKS, HEADS));

  /**
   * FABNet on its butterfly accelerator against the Transformer on a dense engine of the same
   * budget ({@link EqualBudgetDenseEngine}), batch 1, split into what the algorithm saves (both
   * networks on the dense engine) and what the butterfly hardware adds (FABNet on both engines);
   * total = algorithm x hardware.
   */
  public static String equalBudgetCsv(List<Integer> lengths) {
    StringBuilder b =
        new StringBuilder(
            "profile,network,length,multipliers,fabnet_butterfly_ms,fabnet_dense_ms,"
                + "transformer_dense_ms,algorithm_x,hardware_x,total_x\n");
    for (String profile : ButterflyProfiles.PRESETS) {
      ButterflyProfile bp = ButterflyProfiles.preset(profile);
      ButterflyCostModel butterfly = new ButterflyCostModel(bp);
      EqualBudgetDenseEngine dense = new EqualBudgetDenseEngine(bp);
      for (Pair pair : EQUAL_BUDGET_PAIRS) {
        for (int length : lengths) {
          ButterflyNetwork fab =
              ButterflyNetwork.fabnet(length, pair.hidden(), pair.ffn(), pair.blocks());
          ButterflyNetwork tr =
              ButterflyNetwork.transformer(
                  length, pair.hidden(), pair.ffn(), pair.blocks(), pair.heads());
          double onButterfly = butterfly.networkNanos(fab, 1, ButterflyCostModel.Mode.EXACT) / 1e6;
          double fabDense = dense.fabnetMillis(fab);
          double trDense = dense.transformerMillis(tr);
          b.append(profile)
              .append(',')
              .append(pair.name())
              .append(',')
              .append(length)
              .append(',')
              .append(dense.multipliers())
              .append(',')
              .append(f(onButterfly, 3))
              .append(',')
              .append(f(fabDense, 3))
              .append(',')
              .append(f(trDense, 3))
              .append(',')
              .append(f(trDense / fabDense, 2))
              .append(',')
              .append(f(fabDense / onButterfly, 2))
              .append(',')
              .append(f(trDense / onButterfly, 2))
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
