package io.edgenpu.npu.butterfly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/**
 * Batched network costs on the butterfly accelerator (what paces the served models) and GELU's erf.
 */
class ButterflyNetworkCostTest {
  private final ButterflyCostModel model =
      new ButterflyCostModel(ButterflyProfiles.preset("butterfly-vcu128-be120"));
  private final ButterflyNetwork fabnet = ButterflyNetwork.fabnet(256, 64, 128, 2);

  @Test
  void batchingAmortisesPipelineFillButNeverGetsCheaper() {
    double previous = 0;
    for (int b = 1; b <= 8; b++) {
      double c = model.networkCycles(fabnet, b, ButterflyCostModel.Mode.EXACT);
      assertThat(c).as("batch " + b).isGreaterThan(previous);
      previous = c;
    }
    double one = model.networkCycles(fabnet, 1, ButterflyCostModel.Mode.EXACT);
    assertThat(model.networkCycles(fabnet, 8, ButterflyCostModel.Mode.EXACT))
        .isLessThanOrEqualTo(8 * one);
  }

  @Test
  void batchOneIsTheSumOfTheBlockCommandsWithTheLastStoreExposed() {
    double expected = 0;
    var cmds = new ArrayList<ButterflyCostModel.LayerCmd>();
    for (int i = 0; i < 2; i++) {
      cmds.addAll(model.fbflyBlock(256, 64, 128, ButterflyCostModel.Mode.EXACT));
    }
    for (ButterflyCostModel.CmdCost c : model.cost(cmds, 1, true)) {
      expected += c.cycles();
    }
    assertThat(model.networkCycles(fabnet, 1, ButterflyCostModel.Mode.EXACT))
        .isCloseTo(expected, within(1e-6));
  }

  @Test
  void fabnetBeatsTheDenseTransformerOnTheSameAcceleratorAndTheGapGrowsWithLength() {
    double previousRatio = 0;
    for (int length : new int[] {256, 512, 1024, 2048}) {
      double fab =
          model.networkCycles(
              ButterflyNetwork.fabnet(length, 64, 128, 2), 1, ButterflyCostModel.Mode.EXACT);
      double dense =
          model.networkCycles(
              ButterflyNetwork.transformer(length, 64, 128, 2, 2),
              1,
              ButterflyCostModel.Mode.EXACT);
      double ratio = dense / fab;
      assertThat(ratio)
          .as("dense/FABNet at L=" + length)
          .isGreaterThan(1)
          .isGreaterThan(previousRatio);
      previousRatio = ratio;
    }
  }

  @Test
  void rejectsEmptyNetworksAndBatches() {
    assertThatThrownBy(() -> new ButterflyNetwork(256, 64, 128, 0, 0, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> model.networkCycles(fabnet, 0, ButterflyCostModel.Mode.EXACT))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void erfMatchesTabulatedValues() {
    assertThat(FabnetReference.erf(0.5)).isCloseTo(0.5204998778, within(2e-7));
    assertThat(FabnetReference.erf(1.0)).isCloseTo(0.8427007929, within(2e-7));
    assertThat(FabnetReference.erf(-2.0)).isCloseTo(-0.9953222650, within(2e-7));
    assertThat(FabnetReference.gelu(0f)).isZero();
    assertThat(FabnetReference.gelu(1f)).isCloseTo(0.8413447f, within(1e-6f));
  }
}
