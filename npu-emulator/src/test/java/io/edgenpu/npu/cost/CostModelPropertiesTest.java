package io.edgenpu.npu.cost;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.profile.NpuProfiles;
import io.edgenpu.npu.profile.PrecisionMode;
import io.edgenpu.npu.workload.Layer;
import io.edgenpu.npu.workload.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Properties of the cost model over seeded random layers (and the spec's qualitative claims). */
class CostModelPropertiesTest {
  private static final NpuProfile FLUID = NpuProfiles.preset("fluid-npu");
  private static final NpuProfile BASELINE = NpuProfiles.preset("baseline-npu");

  private static Layer randomLayer(SplittableRandom rnd, int i) {
    if (rnd.nextInt(5) == 0) {
      long e = 1L << rnd.nextInt(6, 16);
      return Layer.memory("m" + i, "Add", 2 * e, e);
    }
    long r = 1L << rnd.nextInt(0, 13);
    long p = rnd.nextInt(1, 1 << rnd.nextInt(2, 13));
    long c = rnd.nextInt(1, 1 << rnd.nextInt(1, 11));
    long g = rnd.nextInt(4) == 0 ? 1L << rnd.nextInt(1, 6) : 1;
    return Layer.gemm("g" + i, "Conv", r, p, c, g, r * p * g, r * c * g, p * c * g, true);
  }

  @Test
  void latencyNeverDecreasesWithBatchSizeForAFixedLayout() {
    SplittableRandom rnd = new SplittableRandom(1);
    CostModel model = new CostModel(FLUID);
    for (int i = 0; i < 300; i++) {
      Layer l = randomLayer(rnd, i);
      for (Layout layout : model.candidateLayouts(4)) {
        double prev = 0;
        for (int b = 1; b <= 16; b++) {
          LayerCost c = model.cost(l, b, layout, PrecisionMode.A8W8);
          assertThat(c.nanos())
              .as("%s %s b=%d", l.shapeString(), layout, b)
              .isGreaterThanOrEqualTo(prev);
          prev = c.nanos();
        }
      }
    }
  }

  @Test
  void theFluidTableIsNeverWorseThanTheBaselineLayout() {
    SplittableRandom rnd = new SplittableRandom(2);
    for (int w = 0; w < 20; w++) {
      List<Layer> layers = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        layers.add(randomLayer(rnd, i));
      }
      Workload wl = new Workload("random" + w, List.of(new Workload.Stage("s", layers, List.of())));
      FluidTable fluid = FluidTable.build(new CostModel(FLUID), wl, 8, LayoutPolicy.FLUID);
      FluidTable base = FluidTable.build(new CostModel(BASELINE), wl, 8, LayoutPolicy.R_BATCHING);
      for (int b = 1; b <= 8; b++) {
        assertThat(fluid.stageNanos(0, b))
            .as("workload %d b=%d", w, b)
            .isLessThanOrEqualTo(base.stageNanos(0, b));
        for (int i = 0; i < layers.size(); i++) {
          assertThat(fluid.layer(0, i, b).nanos()).isLessThanOrEqualTo(base.layer(0, i, b).nanos());
        }
      }
    }
  }

  @Test
  void stackingAndPBatchingRaiseUtilisationWhereTheSpecSaysTheyShould() {
    CostModel ref = new CostModel(NpuProfiles.preset("reference-compute-only"));
    // Small R (FC and exit heads) at small batch: stacking.
    Layer fc = Layer.gemm("fc", "Gemm", 1, 512, 100, 1, 512, 100, 51200, true);
    for (int b : new int[] {1, 2, 4, 8}) {
      double base = ref.cost(fc, b, Layout.baseline(b), PrecisionMode.A8W8).macUtilization();
      LayerCost best = ref.best(fc, b, PrecisionMode.A8W8);
      assertThat(best.macUtilization()).as("FC b=%d", b).isGreaterThan(base * 2);
      assertThat(best.layout().stacking()).isGreaterThan(1);
    }
    // Small P (a first convolution, P = 27): P-batching.
    Layer first = Layer.gemm("conv1", "Conv", 1024, 27, 16, 1, 3072, 16384, 432, true);
    LayerCost b2 = ref.best(first, 2, PrecisionMode.A8W8);
    assertThat(b2.layout().depthBatch()).isGreaterThan(1);
    assertThat(b2.macUtilization())
        .isGreaterThan(ref.cost(first, 2, Layout.baseline(2), PrecisionMode.A8W8).macUtilization());
    // Narrow C (16 output channels) at small batch: stacking or P-batching raises utilisation.
    Layer narrow = Layer.gemm("narrow", "Conv", 1024, 144, 16, 1, 16384, 16384, 2304, true);
    for (int b : new int[] {1, 2, 4}) {
      assertThat(ref.best(narrow, b, PrecisionMode.A8W8).macUtilization())
          .isGreaterThan(
              ref.cost(narrow, b, Layout.baseline(b), PrecisionMode.A8W8).macUtilization());
    }
    // A wide layer with large R gains nothing: the baseline layout is already the best.
    Layer wide = Layer.gemm("wide", "Conv", 12544, 147, 64, 1, 150528, 802816, 9408, true);
    assertThat(ref.best(wide, 1, PrecisionMode.A8W8).cycles())
        .isEqualTo(ref.cost(wide, 1, Layout.baseline(1), PrecisionMode.A8W8).cycles());
  }

  @Test
  void sixteenBitLayersCostMoreAndSwitchingPrecisionIsCharged() {
    CostModel model = new CostModel(FLUID);
    Layer conv = Layer.gemm("c", "Conv", 4096, 288, 32, 1, 4096 * 32, 4096 * 32, 288 * 32, true);
    double a8 = model.best(conv, 1, PrecisionMode.A8W8).nanos();
    double a16 = model.best(conv, 1, PrecisionMode.A16W8).nanos();
    assertThat(a16).isGreaterThan(1.5 * a8);
    Workload w =
        new Workload("w", List.of(new Workload.Stage("s", List.of(conv, conv, conv), List.of())));
    long all8 =
        FluidTable.build(model, w, 1, LayoutPolicy.FLUID, (s, i) -> PrecisionMode.A8W8)
            .stageNanos(0, 1);
    long all16 =
        FluidTable.build(model, w, 1, LayoutPolicy.FLUID, (s, i) -> PrecisionMode.A16W8)
            .stageNanos(0, 1);
    long mixed =
        FluidTable.build(
                model,
                w,
                1,
                LayoutPolicy.FLUID,
                (s, i) -> i == 1 ? PrecisionMode.A16W8 : PrecisionMode.A8W8)
            .stageNanos(0, 1);
    assertThat(all8).isLessThan(mixed);
    assertThat(mixed).isLessThan(all16 + 1);
    // The mixed plan pays two conversions on top of one 16-bit layer.
    double expectedWithoutConversions = 2 * a8 + a16;
    assertThat((double) mixed).isGreaterThan(expectedWithoutConversions);
  }
}
