package io.edgenpu.api.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An immutable dense tensor: a datatype, a concrete row-major shape and its elements.
 *
 * <p>Fixed-size types keep their elements in a little-endian {@link ByteBuffer} (the protocol's raw
 * form); {@link DataType#BYTES} keeps one {@code byte[]} per element. Instances are safe to share
 * between threads; accessors return read-only views or copies, never the backing storage.
 */
public final class Tensor {
  private final DataType dataType;
  private final long[] shape;

  /** The elements of a fixed-size type; null for BYTES. */
  private final @Nullable ByteBuffer data;

  /** The elements of a BYTES tensor; null for fixed-size types. */
  private final @Nullable List<byte[]> elements;

  private Tensor(
      DataType dataType, long[] shape, @Nullable ByteBuffer data, @Nullable List<byte[]> elements) {
    this.dataType = dataType;
    this.shape = shape;
    this.data = data;
    this.elements = elements;
  }

  /**
   * Wraps raw little-endian bytes. The buffer's remaining bytes must be exactly {@code
   * elementCount(shape) * dataType.byteSize()}; the tensor takes ownership of the buffer.
   */
  public static Tensor ofRaw(DataType dataType, long[] shape, ByteBuffer raw) {
    Objects.requireNonNull(dataType, "dataType");
    if (dataType == DataType.BYTES) {
      return ofBytesRaw(shape, raw);
    }
    long n = Shapes.elementCount(shape);
    long expected = n * dataType.byteSize();
    if (raw.remaining() != expected) {
      throw new IllegalArgumentException(
          "expected "
              + expected
              + " bytes for "
              + dataType
              + Shapes.toString(shape)
              + ", got "
              + raw.remaining());
    }
    return new Tensor(dataType, shape.clone(), raw.slice().order(ByteOrder.LITTLE_ENDIAN), null);
  }

  /** A BYTES tensor from its elements; the list is copied. */
  public static Tensor ofBytes(long[] shape, List<byte[]> values) {
    long n = Shapes.elementCount(shape);
    if (values.size() != n) {
      throw new IllegalArgumentException(
          "expected "
              + n
              + " elements for shape "
              + Shapes.toString(shape)
              + ", got "
              + values.size());
    }
    return new Tensor(DataType.BYTES, shape.clone(), null, List.copyOf(values));
  }

  /**
   * Parses Triton's raw BYTES form: each element is a 4-byte little-endian length followed by its
   * bytes.
   */
  public static Tensor ofBytesRaw(long[] shape, ByteBuffer raw) {
    long n = Shapes.elementCount(shape);
    ByteBuffer b = raw.slice().order(ByteOrder.LITTLE_ENDIAN);
    List<byte[]> out = new ArrayList<>((int) Math.min(n, 1 << 16));
    for (long i = 0; i < n; i++) {
      if (b.remaining() < 4) {
        throw new IllegalArgumentException("BYTES element " + i + " truncated (no length prefix)");
      }
      int len = b.getInt();
      if (len < 0 || len > b.remaining()) {
        throw new IllegalArgumentException(
            "BYTES element "
                + i
                + " declares "
                + Integer.toUnsignedString(len)
                + " bytes but only "
                + b.remaining()
                + " remain");
      }
      byte[] e = new byte[len];
      b.get(e);
      out.add(e);
    }
    if (b.hasRemaining()) {
      throw new IllegalArgumentException(
          b.remaining() + " unexpected bytes after the last BYTES element");
    }
    return new Tensor(DataType.BYTES, shape.clone(), null, List.copyOf(out));
  }

  public static Tensor ofFloats(long[] shape, float[] values) {
    checkCount(shape, values.length);
    ByteBuffer b = allocate(values.length * 4L);
    b.asFloatBuffer().put(values);
    return new Tensor(DataType.FP32, shape.clone(), b, null);
  }

  public static Tensor ofLongs(long[] shape, long[] values) {
    checkCount(shape, values.length);
    ByteBuffer b = allocate(values.length * 8L);
    b.asLongBuffer().put(values);
    return new Tensor(DataType.INT64, shape.clone(), b, null);
  }

  public static Tensor ofInts(long[] shape, int[] values) {
    checkCount(shape, values.length);
    ByteBuffer b = allocate(values.length * 4L);
    b.asIntBuffer().put(values);
    return new Tensor(DataType.INT32, shape.clone(), b, null);
  }

  /** A UINT8 tensor; each byte is an unsigned value 0..255. */
  public static Tensor ofUint8(long[] shape, byte[] values) {
    checkCount(shape, values.length);
    return new Tensor(
        DataType.UINT8,
        shape.clone(),
        ByteBuffer.wrap(values.clone()).order(ByteOrder.LITTLE_ENDIAN),
        null);
  }

  public static Tensor ofStrings(long[] shape, List<String> values) {
    List<byte[]> b = new ArrayList<>(values.size());
    for (String s : values) {
      b.add(s.getBytes(StandardCharsets.UTF_8));
    }
    return ofBytes(shape, b);
  }

  private static void checkCount(long[] shape, int length) {
    long n = Shapes.elementCount(shape);
    if (n != length) {
      throw new IllegalArgumentException(
          "expected " + n + " elements for shape " + Shapes.toString(shape) + ", got " + length);
    }
  }

  private static ByteBuffer allocate(long bytes) {
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tensor of " + bytes + " bytes is too large");
    }
    return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  public DataType dataType() {
    return dataType;
  }

  /** A copy of the shape. */
  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long dim(int i) {
    return shape[i];
  }

  public long elementCount() {
    return Shapes.elementCount(shape);
  }

  /** Read-only little-endian view of the raw elements, positioned at 0. Not for BYTES tensors. */
  public ByteBuffer rawData() {
    requireFixedSize();
    return numeric().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * The protocol's raw form: fixed-size elements as-is; BYTES with a 4-byte length prefix per
   * element.
   */
  public byte[] toRawBytes() {
    if (dataType != DataType.BYTES) {
      byte[] out = new byte[numeric().capacity()];
      numeric().asReadOnlyBuffer().get(out);
      return out;
    }
    int total = 0;
    for (byte[] e : byteElements()) {
      total += 4 + e.length;
    }
    ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] e : byteElements()) {
      b.putInt(e.length).put(e);
    }
    return b.array();
  }

  /** Size of {@link #toRawBytes()} without building it. */
  public long rawByteSize() {
    if (dataType != DataType.BYTES) {
      return numeric().capacity();
    }
    long total = 0;
    for (byte[] e : byteElements()) {
      total += 4 + e.length;
    }
    return total;
  }

  /** The BYTES elements (unmodifiable list; element arrays must not be modified). */
  public List<byte[]> bytesElements() {
    if (dataType != DataType.BYTES) {
      throw new IllegalStateException("not a BYTES tensor: " + dataType);
    }
    return byteElements();
  }

  public float[] toFloatArray() {
    requireType(DataType.FP32);
    float[] out = new float[(int) elementCount()];
    rawData().asFloatBuffer().get(out);
    return out;
  }

  public long[] toLongArray() {
    requireType(DataType.INT64);
    long[] out = new long[(int) elementCount()];
    rawData().asLongBuffer().get(out);
    return out;
  }

  /** UINT8 elements as ints 0..255. */
  public int[] toUint8Array() {
    requireType(DataType.UINT8);
    ByteBuffer b = rawData();
    int[] out = new int[b.remaining()];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.get(i) & 0xFF;
    }
    return out;
  }

  /**
   * Rows {@code [from, to)} of dimension 0, as a new tensor sharing no mutable state with this one.
   */
  public Tensor sliceRows(int from, int to) {
    if (shape.length == 0 || from < 0 || to > shape[0] || from > to) {
      throw new IndexOutOfBoundsException(
          "rows [" + from + "," + to + ") of shape " + Shapes.toString(shape));
    }
    long[] s = Shapes.withBatch(shape, to - from);
    long row = Shapes.rowElements(shape);
    if (dataType == DataType.BYTES) {
      return new Tensor(
          dataType, s, null, byteElements().subList((int) (from * row), (int) (to * row)));
    }
    int rowBytes = (int) (row * dataType.byteSize());
    ByteBuffer src = numeric().duplicate();
    src.position(from * rowBytes).limit(to * rowBytes);
    return new Tensor(dataType, s, src.slice().order(ByteOrder.LITTLE_ENDIAN), null);
  }

  /** Concatenates tensors of one datatype along dimension 0; other dimensions must agree. */
  public static Tensor concatRows(List<Tensor> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("nothing to concatenate");
    }
    if (parts.size() == 1) {
      return parts.get(0);
    }
    Tensor first = parts.get(0);
    long rows = 0;
    for (Tensor t : parts) {
      if (t.dataType != first.dataType
          || t.shape.length != first.shape.length
          || t.shape.length == 0
          || !Arrays.equals(t.shape, 1, t.shape.length, first.shape, 1, first.shape.length)) {
        throw new IllegalArgumentException(
            "cannot concatenate "
                + t.dataType
                + Shapes.toString(t.shape)
                + " with "
                + first.dataType
                + Shapes.toString(first.shape));
      }
      rows += t.shape[0];
    }
    long[] s = Shapes.withBatch(first.shape, rows);
    if (first.dataType == DataType.BYTES) {
      List<byte[]> all = new ArrayList<>();
      for (Tensor t : parts) {
        all.addAll(t.byteElements());
      }
      return new Tensor(DataType.BYTES, s, null, List.copyOf(all));
    }
    ByteBuffer out = allocate(Shapes.elementCount(s) * first.dataType.byteSize());
    for (Tensor t : parts) {
      out.put(t.numeric().duplicate().position(0));
    }
    out.flip();
    return new Tensor(first.dataType, s, out, null);
  }

  /** Same elements under another shape with the same element count. */
  public Tensor reshape(long[] newShape) {
    if (Shapes.elementCount(newShape) != elementCount()) {
      throw new IllegalArgumentException(
          "cannot reshape " + Shapes.toString(shape) + " to " + Shapes.toString(newShape));
    }
    return new Tensor(dataType, newShape.clone(), data, elements);
  }

  private void requireFixedSize() {
    if (dataType == DataType.BYTES) {
      throw new IllegalStateException("BYTES tensors have no fixed-size raw view");
    }
  }

  private void requireType(DataType t) {
    if (dataType != t) {
      throw new IllegalStateException("tensor is " + dataType + ", not " + t);
    }
  }

  @Override
  public String toString() {
    return "Tensor[" + dataType + Shapes.toString(shape) + "]";
  }

  private ByteBuffer numeric() {
    return Objects.requireNonNull(data, "a BYTES tensor has no fixed-size buffer");
  }

  private List<byte[]> byteElements() {
    return Objects.requireNonNull(elements, "only a BYTES tensor has byte elements");
  }
}
