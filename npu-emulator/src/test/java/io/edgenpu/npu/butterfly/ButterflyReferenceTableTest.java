package io.edgenpu.npu.butterfly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Golden test: fabnet.md §8.7's latency table of the reference simulator (all-FBfly FABNet-Base: 12 layers,
 * d 768 -> 1024, FFN 3072 -> 4096; Large: 24 layers, d 1024, FFN 4096) reproduces within ±1% with the
 * reference's hidden-length simplification of the sequence FFT pass.
 */
class ButterflyReferenceTableTest {
  @ParameterizedTest(name = "{0} {1} L={2}: {3} ms")
  @CsvSource({
      "butterfly-vcu128-be120, base, 128, 2.00", "butterfly-vcu128-be120, base, 256, 3.20",
      "butterfly-vcu128-be120, base, 512, 5.60", "butterfly-vcu128-be120, base, 768, 8.01",
      "butterfly-vcu128-be120, base, 1024, 10.41",
      "butterfly-vcu128-be120, large, 128, 3.99", "butterfly-vcu128-be120, large, 256, 6.40",
      "butterfly-vcu128-be120, large, 512, 11.20", "butterfly-vcu128-be120, large, 768, 16.01",
      "butterfly-vcu128-be120, large, 1024, 20.82",
      "butterfly-zynq7045-be20, base, 128, 27.09", "butterfly-zynq7045-be20, base, 256, 53.76",
      "butterfly-zynq7045-be20, base, 512, 111.55", "butterfly-zynq7045-be20, base, 768, 169.34",
      "butterfly-zynq7045-be20, base, 1024, 227.13",
      "butterfly-zynq7045-be20, large, 128, 54.18", "butterfly-zynq7045-be20, large, 256, 107.52",
      "butterfly-zynq7045-be20, large, 512, 223.10", "butterfly-zynq7045-be20, large, 768, 338.68",
      "butterfly-zynq7045-be20, large, 1024, 454.26"
  })
  void reproducesTheReferenceSimulatorWithinOnePercent(String profile, String size, long length, double expectedMs) {
    ButterflyCostModel model = new ButterflyCostModel(ButterflyProfiles.preset(profile));
    boolean base = size.equals("base");
    double ms = model.networkMillis(length, base ? 768 : 1024, base ? 3072 : 4096, base ? 12 : 24, 0, 12,
        ButterflyCostModel.Mode.LEGACY_SEQUENCE_PASS);
    assertThat(ms).isCloseTo(expectedMs, within(expectedMs * 0.01));
  }
}
