package io.edgenpu.api.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Tensors: raw little-endian form for every datatype, Triton's BYTES form, rows sliced and
 * concatenated.
 */
class TensorTest {
  @Test
  void theRawFormIsLittleEndian() {
    Tensor t = Tensor.ofInts(new long[] {1, 2}, new int[] {1, 0x01020304});
    assertThat(t.toRawBytes()).containsExactly(1, 0, 0, 0, 4, 3, 2, 1);
    Tensor f = Tensor.ofFloats(new long[] {1}, new float[] {1.0f});
    assertThat(f.toRawBytes()).containsExactly(0, 0, (byte) 0x80, 0x3F);
  }

  @Property(tries = 300)
  void everyFixedSizeTypeRoundTripsThroughItsRawForm(
      @ForAll("fixedSizeTypes") DataType type,
      @ForAll @IntRange(min = 0, max = 40) int elements,
      @ForAll byte[] seed) {
    byte[] raw = new byte[elements * type.byteSize()];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = seed.length == 0 ? (byte) i : seed[i % seed.length];
    }
    Tensor t = Tensor.ofRaw(type, new long[] {elements}, ByteBuffer.wrap(raw));
    assertThat(t.toRawBytes()).isEqualTo(raw);
    assertThat(t.rawByteSize()).isEqualTo(raw.length);
    assertThat(t.elementCount()).isEqualTo(elements);
    assertThat(
            Tensor.ofRaw(type, new long[] {elements}, ByteBuffer.wrap(t.toRawBytes())).toRawBytes())
        .isEqualTo(raw);
  }

  @Provide
  Arbitrary<DataType> fixedSizeTypes() {
    return Arbitraries.of(DataType.values()).filter(t -> t != DataType.BYTES);
  }

  @Test
  void aRawBufferOfTheWrongSizeIsRefused() {
    assertThatThrownBy(
            () -> Tensor.ofRaw(DataType.FP32, new long[] {1, 4}, ByteBuffer.allocate(15)))
        .hasMessageContaining("expected 16 bytes");
    assertThatThrownBy(() -> Tensor.ofFloats(new long[] {3}, new float[2]))
        .hasMessageContaining("expected 3");
    assertThatThrownBy(
            () -> Tensor.ofRaw(DataType.INT8, new long[] {1L << 31}, ByteBuffer.allocate(0)))
        .hasMessageContaining("too many");
  }

  @Property(tries = 300)
  void bytesTensorsRoundTripThroughTritonsLengthPrefixedForm(
      @ForAll List<@net.jqwik.api.constraints.StringLength(max = 12) String> values) {
    Tensor t = Tensor.ofStrings(new long[] {values.size()}, values);
    Tensor back = Tensor.ofBytesRaw(new long[] {values.size()}, ByteBuffer.wrap(t.toRawBytes()));
    List<String> decoded = new ArrayList<>();
    for (byte[] e : back.bytesElements()) {
      decoded.add(new String(e, StandardCharsets.UTF_8));
    }
    assertThat(decoded).containsExactlyElementsOf(values);
    assertThat(t.rawByteSize()).isEqualTo(t.toRawBytes().length);
  }

  @Test
  void malformedBytesFormsAreRefusedWithTheReason() {
    ByteBuffer truncated =
        ByteBuffer.allocate(6)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putInt(5)
            .put((byte) 'a')
            .put((byte) 'b')
            .flip();
    assertThatThrownBy(() -> Tensor.ofBytesRaw(new long[] {1}, truncated))
        .hasMessageContaining("declares 5 bytes");
    ByteBuffer negative = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(-1).flip();
    assertThatThrownBy(() -> Tensor.ofBytesRaw(new long[] {1}, negative))
        .hasMessageContaining("declares");
    ByteBuffer extra =
        ByteBuffer.allocate(6)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putInt(1)
            .put((byte) 'a')
            .put((byte) 'b')
            .flip();
    assertThatThrownBy(() -> Tensor.ofBytesRaw(new long[] {1}, extra))
        .hasMessageContaining("unexpected bytes");
    assertThatThrownBy(() -> Tensor.ofBytesRaw(new long[] {2}, ByteBuffer.allocate(2)))
        .hasMessageContaining("truncated");
  }

  @Property(tries = 300)
  void slicingRowsAndConcatenatingThemGivesTheTensorBack(@ForAll("batches") int[] rowsAndWidth) {
    int rows = rowsAndWidth[0];
    int width = rowsAndWidth[1];
    float[] values = new float[rows * width];
    for (int i = 0; i < values.length; i++) {
      values[i] = i * 0.5f - 3;
    }
    Tensor t = Tensor.ofFloats(new long[] {rows, width}, values);
    List<Tensor> parts = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      Tensor row = t.sliceRows(r, r + 1);
      assertThat(row.shape()).containsExactly(1, width);
      parts.add(row);
    }
    Tensor back = Tensor.concatRows(parts);
    assertThat(back.shape()).containsExactly(rows, width);
    assertThat(back.toFloatArray()).containsExactly(values);
  }

  @Provide
  Arbitrary<int[]> batches() {
    return Combinators.combine(
            Arbitraries.integers().between(1, 9), Arbitraries.integers().between(1, 17))
        .as((r, w) -> new int[] {r, w});
  }

  @Test
  void concatenationRefusesMismatchedTensors() {
    Tensor a = Tensor.ofFloats(new long[] {1, 2}, new float[2]);
    assertThatThrownBy(
            () -> Tensor.concatRows(List.of(a, Tensor.ofInts(new long[] {1, 2}, new int[2]))))
        .hasMessageContaining("cannot concatenate");
    assertThatThrownBy(
            () -> Tensor.concatRows(List.of(a, Tensor.ofFloats(new long[] {1, 3}, new float[3]))))
        .hasMessageContaining("cannot concatenate");
    assertThatThrownBy(() -> Tensor.concatRows(List.of())).hasMessageContaining("nothing");
    assertThatThrownBy(() -> a.sliceRows(0, 2)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> a.reshape(new long[] {3})).hasMessageContaining("cannot reshape");
    assertThat(a.reshape(new long[] {2}).shape()).containsExactly(2);
  }

  @Test
  void accessorsReturnCopiesAndCheckTheType() {
    Tensor t = Tensor.ofLongs(new long[] {2}, new long[] {7, -8});
    long[] shape = t.shape();
    shape[0] = 99;
    assertThat(t.shape()).containsExactly(2);
    assertThat(t.toLongArray()).containsExactly(7, -8);
    assertThatThrownBy(t::toFloatArray).hasMessageContaining("not FP32");
    assertThatThrownBy(t::bytesElements).hasMessageContaining("not a BYTES");
    assertThat(Tensor.ofUint8(new long[] {2}, new byte[] {(byte) 255, 1}).toUint8Array())
        .containsExactly(255, 1);
    assertThatThrownBy(() -> Tensor.ofStrings(new long[] {1}, List.of("a")).rawData())
        .hasMessageContaining("BYTES");
  }
}
