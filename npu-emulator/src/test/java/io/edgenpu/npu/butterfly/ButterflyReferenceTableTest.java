package io.edgenpu.npu.butterfly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden test: docs/papers/fabnet.md's latency table of the reference simulator (all-FBfly
 * FABNet-Base: 12 layers, d 768 -> 1024, FFN 3072 -> 4096; Large: 24 layers, d 1024, FFN 4096)
 * reproduces within ±1% with the reference's hidden-length simplification of the sequence FFT pass.
 * The published values are typed in {@link ButterflyReferenceTable}; this test also pins the row
 * count so none can silently go missing.
 */
class ButterflyReferenceTableTest {
  static Stream<ButterflyReferenceTable.Entry> entries() {
    assertThat(ButterflyReferenceTable.ENTRIES).hasSize(20);
    return ButterflyReferenceTable.ENTRIES.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entries")
  void reproducesTheReferenceSimulatorWithinOnePercent(ButterflyReferenceTable.Entry e) {
    double ms = e.modelledMillis(ButterflyCostModel.Mode.LEGACY_SEQUENCE_PASS);
    assertThat(ms).isCloseTo(e.millis(), within(e.millis() * 0.01));
  }
}
