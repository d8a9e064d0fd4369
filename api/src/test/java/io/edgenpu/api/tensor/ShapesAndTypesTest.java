package io.edgenpu.api.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Shape arithmetic refuses overflow and negative sizes; datatype names parse as the protocol spells
 * them.
 */
class ShapesAndTypesTest {
  @Test
  void elementCountsMultiplyAndRefuseOverflow() {
    assertThat(Shapes.elementCount(new long[] {})).isEqualTo(1);
    assertThat(Shapes.elementCount(new long[] {2, 3, 4})).isEqualTo(24);
    assertThat(Shapes.elementCount(new long[] {5, 0, 1L << 40}))
        .isZero(); // an empty tensor, whatever follows
    assertThatThrownBy(() -> Shapes.elementCount(new long[] {1L << 31, 1}))
        .hasMessageContaining("too many");
    assertThatThrownBy(() -> Shapes.elementCount(new long[] {1 << 16, 1 << 16}))
        .hasMessageContaining("too many");
    assertThatThrownBy(() -> Shapes.elementCount(new long[] {Long.MAX_VALUE, Long.MAX_VALUE}))
        .hasMessageContaining("too many");
    assertThatThrownBy(() -> Shapes.elementCount(new long[] {3, -1}))
        .hasMessageContaining("negative");
  }

  @Test
  void rowsAndBatches() {
    assertThat(Shapes.rowElements(new long[] {8, 1, 32, 32})).isEqualTo(1024);
    assertThat(Shapes.withBatch(new long[] {8, 3}, 2)).containsExactly(2, 3);
    assertThatThrownBy(() -> Shapes.rowElements(new long[] {})).hasMessageContaining("scalar");
  }

  @Test
  void aDeclaredMinusOneMatchesAnySize() {
    assertThat(Shapes.matches(new long[] {-1, 32}, new long[] {7, 32})).isTrue();
    assertThat(Shapes.matches(new long[] {-1, 32}, new long[] {7, 31})).isFalse();
    assertThat(Shapes.matches(new long[] {32}, new long[] {1, 32})).isFalse();
  }

  @Test
  void datatypesHaveTheProtocolsSizesAndNames() {
    assertThat(DataType.FP16.byteSize()).isEqualTo(2);
    assertThat(DataType.UINT64.byteSize()).isEqualTo(8);
    assertThat(DataType.BOOL.byteSize()).isEqualTo(1);
    assertThat(DataType.BYTES.byteSize()).isZero();
    for (DataType t : DataType.values()) {
      assertThat(DataType.fromWireName(t.wireName())).contains(t);
    }
    assertThat(DataType.fromWireName("fp32")).isEmpty(); // the protocol is case-sensitive
    assertThat(DataType.fromWireName(null)).isEmpty();
    assertThat(DataType.fromConfigName("fp32")).contains(DataType.FP32);
    assertThat(DataType.fromConfigName("TYPE_INT64")).contains(DataType.INT64);
    assertThat(DataType.fromConfigName("string")).contains(DataType.BYTES);
    assertThat(DataType.fromConfigName("FLOAT")).isEmpty();
    assertThat(DataType.BOOL.isNumeric()).isFalse();
    assertThat(DataType.BF16.isFloatingPoint()).isTrue();
    assertThat(DataType.INT8.isFloatingPoint()).isFalse();
  }
}
