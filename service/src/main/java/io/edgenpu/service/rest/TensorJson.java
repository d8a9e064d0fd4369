package io.edgenpu.service.rest;

import io.edgenpu.api.tensor.DataType;
import io.edgenpu.api.tensor.Half;
import io.edgenpu.api.tensor.Shapes;
import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.InputLimits;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/**
 * JSON tensor data of the Open Inference Protocol: row-major, flat ({@code [1,2,3,4]}) or nested
 * ({@code [[1,2],[3,4]]}), one JSON value per element (numbers, booleans for BOOL, strings for
 * BYTES). Decoding is strict: wrong element kinds, out-of-range integers and count mismatches are
 * 400s.
 */
final class TensorJson {
  private TensorJson() {}

  static Tensor decode(
      String name, DataType type, long[] shape, @Nullable JsonNode data, long maxElements) {
    long n = InputLimits.elementCount(name, shape, maxElements);
    if (data == null || data.isNull() || data.isMissingNode()) {
      throw InferenceException.invalid("input '" + name + "' has no 'data'");
    }
    List<JsonNode> flat = new ArrayList<>((int) Math.min(n, 1 << 20));
    flatten(name, data, flat, 0, n);
    if (flat.size() != n) {
      throw InferenceException.invalid(
          "input '"
              + name
              + "' has "
              + flat.size()
              + " data elements but shape "
              + Shapes.toString(shape)
              + " needs "
              + n);
    }
    if (type == DataType.BYTES) {
      List<byte[]> values = new ArrayList<>(flat.size());
      for (JsonNode v : flat) {
        if (!v.isString()) {
          throw InferenceException.invalid(
              "input '" + name + "' is BYTES: elements must be strings");
        }
        values.add(v.stringValue().getBytes(StandardCharsets.UTF_8));
      }
      return Tensor.ofBytes(shape, values);
    }
    ByteBuffer b = ByteBuffer.allocate((int) (n * type.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
    for (JsonNode v : flat) {
      put(name, type, v, b);
    }
    b.flip();
    return Tensor.ofRaw(type, shape, b);
  }

  private static void flatten(
      String name, JsonNode node, List<JsonNode> out, int depth, long limit) {
    if (depth > 32) {
      throw InferenceException.invalid("input '" + name + "': data nested too deeply");
    }
    if (node.isArray()) {
      for (JsonNode child : node) {
        flatten(name, child, out, depth + 1, limit);
        if (out.size() > limit) {
          throw InferenceException.invalid(
              "input '" + name + "' has more data elements than its shape allows (" + limit + ")");
        }
      }
    } else if (node.isObject()) {
      throw InferenceException.invalid("input '" + name + "': data elements cannot be objects");
    } else {
      out.add(node);
    }
  }

  private static void put(String name, DataType type, JsonNode v, ByteBuffer b) {
    switch (type) {
      case BOOL -> {
        if (!v.isBoolean()) {
          throw kind(name, type, "true or false");
        }
        b.put((byte) (v.booleanValue() ? 1 : 0));
      }
      case FP32 -> b.putFloat((float) number(name, type, v));
      case FP64 -> b.putDouble(number(name, type, v));
      case FP16 -> b.putShort(Half.fromFloat((float) number(name, type, v)));
      case BF16 -> b.putShort(Half.bf16FromFloat((float) number(name, type, v)));
      case INT8 -> b.put((byte) integer(name, type, v, Byte.MIN_VALUE, Byte.MAX_VALUE));
      case UINT8 -> b.put((byte) integer(name, type, v, 0, 255));
      case INT16 -> b.putShort((short) integer(name, type, v, Short.MIN_VALUE, Short.MAX_VALUE));
      case UINT16 -> b.putShort((short) integer(name, type, v, 0, 65535));
      case INT32 -> b.putInt((int) integer(name, type, v, Integer.MIN_VALUE, Integer.MAX_VALUE));
      case UINT32 -> b.putInt((int) integer(name, type, v, 0, 0xFFFFFFFFL));
      case INT64 -> b.putLong(integer(name, type, v, Long.MIN_VALUE, Long.MAX_VALUE));
      case UINT64 -> {
        if (!v.isIntegralNumber()
            || v.bigIntegerValue().signum() < 0
            || v.bigIntegerValue().bitLength() > 64) {
          throw kind(name, type, "integers in [0, 2^64)");
        }
        b.putLong(v.bigIntegerValue().longValue());
      }
      default -> throw new IllegalStateException("unexpected " + type);
    }
  }

  private static double number(String name, DataType type, JsonNode v) {
    if (!v.isNumber()) {
      throw kind(name, type, "numbers");
    }
    return v.doubleValue();
  }

  private static long integer(String name, DataType type, JsonNode v, long min, long max) {
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw kind(name, type, "integers");
    }
    return inRange(name, type, v.longValue(), min, max);
  }

  /** x itself, or the client's error when it is outside [min, max] for the input's datatype. */
  static long inRange(String name, DataType type, long x, long min, long max) {
    if (x < min || x > max) {
      throw InferenceException.invalid(
          "input '"
              + name
              + "' is "
              + type
              + ": element "
              + x
              + " is out of range ["
              + min
              + ", "
              + max
              + "]");
    }
    return x;
  }

  /** The client's error for an element of the wrong JSON kind (one wording for both decoders). */
  static InferenceException kind(String name, DataType type, String expected) {
    return InferenceException.invalid(
        "input '" + name + "' is " + type + ": its elements must be " + expected);
  }

  /** Writes a tensor's elements as a flat JSON array. */
  static void write(JsonGenerator g, Tensor t) {
    g.writeStartArray();
    if (t.dataType() == DataType.BYTES) {
      for (byte[] e : t.bytesElements()) {
        g.writeString(new String(e, StandardCharsets.UTF_8));
      }
      g.writeEndArray();
      return;
    }
    ByteBuffer b = t.rawData();
    long n = t.elementCount();
    for (long i = 0; i < n; i++) {
      switch (t.dataType()) {
        case BOOL -> g.writeBoolean(b.get() != 0);
        case FP32 -> g.writeNumber(b.getFloat());
        case FP64 -> g.writeNumber(b.getDouble());
        case FP16 -> g.writeNumber(Half.toFloat(b.getShort()));
        case BF16 -> g.writeNumber(Half.bf16ToFloat(b.getShort()));
        case INT8 -> g.writeNumber(b.get());
        case UINT8 -> g.writeNumber(b.get() & 0xFF);
        case INT16 -> g.writeNumber(b.getShort());
        case UINT16 -> g.writeNumber(b.getShort() & 0xFFFF);
        case INT32 -> g.writeNumber(b.getInt());
        case UINT32 -> g.writeNumber(b.getInt() & 0xFFFFFFFFL);
        case INT64 -> g.writeNumber(b.getLong());
        case UINT64 -> g.writeNumber(new BigInteger(Long.toUnsignedString(b.getLong())));
        default -> throw new IllegalStateException("unexpected " + t.dataType());
      }
    }
    g.writeEndArray();
  }
}
