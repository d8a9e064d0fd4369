package io.edgenpu.api.tensor;

import java.util.Locale;
import java.util.Optional;

/**
 * The Open Inference Protocol tensor datatypes (KServe V2 §"Tensor Data Types").
 *
 * <p>{@link #byteSize()} is the size of one element in bytes in the row-major, little-endian raw
 * form used by gRPC {@code raw_*_contents} and Triton's binary HTTP extension; {@code 0} for the
 * variable-length {@link #BYTES} type.
 */
public enum DataType {
  BOOL(1),
  UINT8(1),
  UINT16(2),
  UINT32(4),
  UINT64(8),
  INT8(1),
  INT16(2),
  INT32(4),
  INT64(8),
  FP16(2),
  BF16(2),
  FP32(4),
  FP64(8),
  BYTES(0);

  private final int byteSize;

  DataType(int byteSize) {
    this.byteSize = byteSize;
  }

  /** Size of one element in bytes; 0 for {@link #BYTES}. */
  public int byteSize() {
    return byteSize;
  }

  /** True for types whose JSON form is a number. */
  public boolean isNumeric() {
    return this != BOOL && this != BYTES;
  }

  public boolean isFloatingPoint() {
    return this == FP16 || this == BF16 || this == FP32 || this == FP64;
  }

  /** Protocol name, e.g. {@code "FP32"}. */
  public String wireName() {
    return name();
  }

  /** Parses a protocol datatype name (case-sensitive, as the protocol says). */
  public static Optional<DataType> fromWireName(String name) {
    if (name == null) {
      return Optional.empty();
    }
    for (DataType t : values()) {
      if (t.name().equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /**
   * Lenient parse used by configuration files: accepts {@code fp32}, {@code TYPE_FP32}, {@code
   * FP32}.
   */
  public static Optional<DataType> fromConfigName(String name) {
    if (name == null) {
      return Optional.empty();
    }
    String n = name.toUpperCase(Locale.ROOT);
    if (n.startsWith("TYPE_")) {
      n = n.substring(5);
    }
    if (n.equals("STRING")) {
      n = "BYTES";
    }
    return fromWireName(n);
  }
}
