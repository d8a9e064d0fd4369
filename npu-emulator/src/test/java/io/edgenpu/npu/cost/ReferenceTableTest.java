package io.edgenpu.npu.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.profile.NpuProfiles;
import io.edgenpu.npu.profile.PrecisionMode;
import io.edgenpu.npu.workload.Layer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Golden test: the reference values of docs/papers/fluid-batching.md (T_R = 64, T_P = 64, T_C = 32,
 * d_pipe = 8, compute term only, k in {1, 2, 4, 8}) reproduce exactly, cycles and MAC utilisation,
 * for the baseline layout ⟨b,1,1⟩ and for the best layout.
 */
class ReferenceTableTest {
  private static final NpuProfile REF = NpuProfiles.preset("reference-compute-only");
  private static final CostModel MODEL = new CostModel(REF);

  private static Layer gemm(long r, long p, long c) {
    return Layer.gemm("ref", "Conv", r, p, c, 1, r * p, r * c, p * c, true);
  }

  @ParameterizedTest(name = "({0},{1},{2}) b={3}: baseline {4} cycles, best {6} cycles {8}")
  @CsvSource({
    // R, P, C, b, baseline cycles, baseline util, best cycles, best util, best layout (or 'tie')
    "12544, 147, 64, 1, 84672, 0.68, 84672, 0.68, '<1,1,1>'",
    "12544, 147, 64, 8, 677376, 0.68, 677376, 0.68, tie",
    "49, 4608, 512, 4, 331776, 0.68, 322560, 0.70, '<4,1,2>'",
    "1, 2048, 1000, 1, 73728, 0.01, 16000, 0.06, '<1,1,8>'",
    "1, 2048, 1000, 8, 73728, 0.11, 16000, 0.50, '<8,1,8>'",
    "1, 512, 100, 8, 2304, 0.09, 400, 0.50, '<8,1,8>'",
    "1024, 144, 16, 4, 13824, 0.33, 10240, 0.45, '<1,4,2>'",
    "1024, 27, 16, 2, 2304, 0.19, 1152, 0.38, '<1,2,1>'"
  })
  void reproducesTheSpecReferenceTable(
      long r,
      long p,
      long c,
      int b,
      double baseCycles,
      double baseUtil,
      double bestCycles,
      double bestUtil,
      String bestLayout) {
    Layer layer = gemm(r, p, c);
    LayerCost base = MODEL.cost(layer, b, Layout.baseline(b), PrecisionMode.A8W8);
    assertThat(base.cycles()).isEqualTo(baseCycles);
    assertThat(base.macUtilization()).isCloseTo(baseUtil, within(0.005));
    LayerCost best = MODEL.best(layer, b, PrecisionMode.A8W8);
    assertThat(best.cycles()).isEqualTo(bestCycles);
    assertThat(best.macUtilization()).isCloseTo(bestUtil, within(0.005));
    // The spec's layout reaches the best cycle count (several layouts may tie on cycles; ties are
    // broken
    // by DRAM bytes, so our pick can differ from the spec's listed one while costing the same
    // cycles).
    Layout listed = bestLayout.equals("tie") ? new Layout(4, 2, 1) : parse(bestLayout);
    assertThat(MODEL.cost(layer, b, listed, PrecisionMode.A8W8).cycles()).isEqualTo(bestCycles);
  }

  private static Layout parse(String s) {
    String[] f = s.substring(1, s.length() - 1).split(",", -1);
    return new Layout(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]));
  }
}
