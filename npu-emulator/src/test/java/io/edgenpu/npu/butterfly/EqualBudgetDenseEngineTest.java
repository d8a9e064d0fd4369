package io.edgenpu.npu.butterfly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class EqualBudgetDenseEngineTest {
  private final ButterflyProfile vcu128 = ButterflyProfiles.preset("butterfly-vcu128-be120");
  private final EqualBudgetDenseEngine dense = new EqualBudgetDenseEngine(vcu128);

  @Test
  void hasAsManyMultipliersAsTheButterflyEngines() {
    assertThat(dense.multipliers()).isEqualTo(120L * vcu128.unitsPerEngine() * 4);
    assertThat(
            new EqualBudgetDenseEngine(ButterflyProfiles.preset("butterfly-zynq7045-be20"))
                .multipliers())
        .isEqualTo(320);
  }

  @Test
  void aLargeLinearLayerIsComputeBoundAtOneMacPerMultiplierPerCycle() {
    double cycles = dense.linearCycles(1024, 768, 3072);
    assertThat(cycles).isCloseTo(1024.0 * 768 * 3072 / dense.multipliers(), within(1e-6));
  }

  @Test
  void aSingleTokenLayerIsBoundByStreamingItsWeights() {
    int coefficientsPerCycle = vcu128.coefficientBitsPerCycle() / vcu128.bitWidth();
    assertThat(dense.linearCycles(1, 1024, 1024))
        .isCloseTo(1024.0 * 1024 / coefficientsPerCycle, within(1e-6));
  }

  @Test
  void attentionGrowsQuadraticallyWithLength() {
    double a = dense.attentionCycles(512, 768, 12) - vcu128.softmaxDelayCycles();
    double b = dense.attentionCycles(1024, 768, 12) - vcu128.softmaxDelayCycles();
    assertThat(b / a).isCloseTo(4.0, within(1e-9));
  }

  @Test
  void fabnetOnItsAcceleratorBeatsBertOnTheEqualBudgetEngineAndTheDenseFormBeatsNothing() {
    ButterflyNetwork fab = ButterflyNetwork.fabnet(512, 768, 3072, 12);
    ButterflyNetwork bert = ButterflyNetwork.transformer(512, 768, 3072, 12, 12);
    double onButterfly =
        new ButterflyCostModel(vcu128).networkNanos(fab, 1, ButterflyCostModel.Mode.EXACT) / 1e6;
    assertThat(dense.transformerMillis(bert)).isGreaterThan(10 * onButterfly);
    // FABNet's FFN equals the Transformer's once multiplied out, and its dense DFT costs about
    // what attention does, so on a dense engine the two are within a factor 1.5.
    assertThat(dense.transformerMillis(bert) / dense.fabnetMillis(fab)).isBetween(0.67, 1.5);
  }
}
