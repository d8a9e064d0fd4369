package io.edgenpu.npu.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.profile.NpuProfiles;
import io.edgenpu.npu.profile.WeightMemory;
import io.edgenpu.npu.profile.WeightMemory.Overflow;
import io.edgenpu.npu.workload.Layer;
import io.edgenpu.npu.workload.Workload;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Weight SRAM: resident weights cost nothing per pass, overflowing ones are fetched per batch. */
class WeightResidencyTest {

  /** One fully-connected layer: 1 row, {@code in} inputs, {@code out} outputs, static weights. */
  private static Workload dense(long in, long out) {
    Layer fc = Layer.gemm("fc", "Gemm", 1, in, out, 1, in, out, in * out, true);
    return new Workload("fc", List.of(new Workload.Stage("s", List.of(fc), List.of())));
  }

  @Test
  void fetchFractionFollowsTheOverflowRule() {
    assertThat(WeightMemory.NONE.fetchFraction(1e6)).isEqualTo(1.0);
    WeightMemory stream = new WeightMemory(8_000_000, 5e8, Overflow.STREAM_EXCESS);
    assertThat(stream.fetchFraction(7_000_000)).isZero();
    assertThat(stream.fetchFraction(10_000_000)).isCloseTo(0.2, within(1e-12));
    WeightMemory reload = new WeightMemory(8_000_000, 5e8, Overflow.RELOAD_ALL);
    assertThat(reload.fetchFraction(7_000_000)).isZero();
    assertThat(reload.fetchFraction(8_000_001)).isEqualTo(1.0);
    assertThatThrownBy(() -> new WeightMemory(-1, 0, Overflow.RELOAD_ALL))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aResidentModelPaysNoWeightFetchAndAnOverflowingOnePaysItOncePerBatch() {
    NpuProfile base = NpuProfiles.preset("edge-tpu-class");
    // 4 MB of int8 weights: fits the 8 MB cache.
    Workload small = dense(2048, 2048);
    // 16.8 MB: what exceeds the 8 MB cache streams over the 0.5 GB/s link every pass.
    Workload large = dense(4096, 4096);
    CostModel model = new CostModel(base);
    FluidTable fits = FluidTable.build(model, small, 8, LayoutPolicy.R_BATCHING);
    FluidTable spills = FluidTable.build(model, large, 8, LayoutPolicy.R_BATCHING);
    assertThat(fits.weightFetchFraction()).isZero();
    double excess = 4096.0 * 4096 - 8_000_000;
    assertThat(spills.weightFetchFraction()).isCloseTo(excess / (4096.0 * 4096), within(1e-9));

    // The fetch of 8.8 MB at 0.5 GB/s (17.6 ms) dominates the large model at batch 1 ...
    double fetchNanos = excess / 0.5;
    assertThat(spills.stageNanos(0, 1)).isGreaterThan((long) fetchNanos);
    // ... and is paid once per batch, so per-sample time falls almost 8x from batch 1 to 8.
    double perSample1 = spills.stageNanos(0, 1);
    double perSample8 = spills.stageNanos(0, 8) / 8.0;
    assertThat(perSample1 / perSample8).isGreaterThan(6.0);
    // Without weight SRAM and with the same link, the small model would pay its fetch as well.
    NpuProfile noSram = base.withWeightMemory(new WeightMemory(0, 5e8, Overflow.STREAM_EXCESS));
    FluidTable streamed =
        FluidTable.build(new CostModel(noSram), small, 8, LayoutPolicy.R_BATCHING);
    assertThat(streamed.stageNanos(0, 1)).isGreaterThan(fits.stageNanos(0, 1) + 7_000_000);
  }

  @Test
  void everySpecSheetPresetParsesWithItsWeightMemory() {
    NpuProfile tpu = NpuProfiles.preset("edge-tpu-class");
    assertThat(tpu.weights().onChipBytes()).isEqualTo(8_000_000);
    assertThat(tpu.weights().overflow()).isEqualTo(Overflow.STREAM_EXCESS);
    NpuProfile hailo = NpuProfiles.preset("hailo8-class");
    assertThat(hailo.weights().overflow()).isEqualTo(Overflow.RELOAD_ALL);
    assertThat(hailo.weights().onChipBytes()).isPositive();
    // The paper's NPUs stream weights from DRAM: no weight SRAM.
    assertThat(NpuProfiles.preset("fluid-npu").weights().onChipBytes()).isZero();
  }
}
