package io.edgenpu.service.rest;

import io.edgenpu.api.tensor.DataType;
import io.edgenpu.api.tensor.Half;
import io.edgenpu.api.tensor.Shapes;
import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.InferenceRequest;
import io.edgenpu.service.inference.InputLimits;
import io.edgenpu.service.inference.NamedTensor;
import io.edgenpu.service.inference.RequestedOutput;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads an OIP JSON inference request token by token: tensor data goes from the parser straight
 * into the tensor's little-endian buffer (floats parsed as floats), with no tree of nodes in
 * between. The common order of an input's fields (name, datatype, shape, then data, as Triton's
 * clients write them) is read in one pass; data that comes before its datatype or shape is read as
 * a tree and decoded afterwards ({@link TensorJson}), so every field order is accepted with the
 * same checks and messages. Stateless and thread-safe.
 */
final class InferRequestReader {
  private static final int MAX_DEPTH = 32;

  private final JsonMapper mapper;
  private final long maxElements;

  InferRequestReader(JsonMapper mapper, long maxElements) {
    this.mapper = mapper;
    this.maxElements = maxElements;
  }

  /**
   * @param binary the bytes after the JSON header (Triton's binary tensor extension), possibly
   *     empty
   * @param streamMessage accept (and require) {@code model_name}, optionally {@code model_version}
   */
  InferenceRequest read(
      @Nullable String model,
      @Nullable String version,
      byte[] body,
      int jsonLength,
      ByteBuffer binary,
      long deadlineNanos,
      boolean streamMessage) {
    if (jsonLength == 0) {
      throw InferenceException.invalid("the request body is empty");
    }
    try (JsonParser p = mapper.createParser(body, 0, jsonLength)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw InferenceException.invalid("the request body is empty");
      }
      if (t != JsonToken.START_OBJECT) {
        throw InferenceException.invalid(
            streamMessage
                ? "each stream message must be a JSON object"
                : "the request body must be a JSON object");
      }
      String id = null;
      Map<String, Object> params = new LinkedHashMap<>();
      List<NamedTensor> inputs = null;
      List<RequestedOutput> outputs = new ArrayList<>();
      String streamModel = null;
      String streamVersion = "";
      for (String field = p.nextName(); field != null; field = p.nextName()) {
        JsonToken v = p.nextToken();
        switch (field) {
          case "id" -> {
            if (v == JsonToken.VALUE_STRING) {
              id = p.getText();
            } else if (v != JsonToken.VALUE_NULL) {
              throw InferenceException.invalid("'id' must be a string");
            }
          }
          case "parameters" -> params = parameters(p, "request");
          case "inputs" -> inputs = inputs(p, binary);
          case "outputs" -> outputs = outputs(p);
          default -> {
            if (streamMessage && field.equals("model_name")) {
              if (v != JsonToken.VALUE_STRING || p.getText().isBlank()) {
                throw InferenceException.invalid("each stream message needs a string 'model_name'");
              }
              streamModel = p.getText();
            } else if (streamMessage && field.equals("model_version")) {
              if (v == JsonToken.VALUE_STRING) {
                streamVersion = p.getText();
              } else if (v != JsonToken.VALUE_NULL) {
                throw InferenceException.invalid("'model_version' must be a string");
              }
            } else {
              throw InferenceException.invalid(
                  "unknown field '" + field + "' in the inference request");
            }
          }
        }
      }
      if (streamMessage && streamModel == null) {
        throw InferenceException.invalid("each stream message needs a string 'model_name'");
      }
      if (inputs == null || inputs.isEmpty()) {
        throw InferenceException.invalid("'inputs' must be a non-empty array");
      }
      if (binary.hasRemaining()) {
        throw InferenceException.invalid(
            binary.remaining()
                + " bytes of binary data follow the inputs but no input claims them");
      }
      return new InferenceRequest(
          Objects.requireNonNull(streamMessage ? streamModel : model, "model"),
          Objects.requireNonNullElse(streamMessage ? streamVersion : version, ""),
          id,
          inputs,
          outputs,
          params,
          deadlineNanos);
    } catch (JacksonException e) {
      throw InferenceException.invalid("malformed JSON: " + e.getOriginalMessage());
    }
  }

  private List<NamedTensor> inputs(JsonParser p, ByteBuffer binary) {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      p.skipChildren();
      throw InferenceException.invalid("'inputs' must be a non-empty array");
    }
    List<NamedTensor> out = new ArrayList<>(2);
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.START_OBJECT) {
        throw InferenceException.invalid("each input must be an object");
      }
      out.add(input(p, binary));
    }
    return out;
  }

  /**
   * One input object, the parser on its START_OBJECT; returns with the parser on its END_OBJECT.
   */
  private NamedTensor input(JsonParser p, ByteBuffer binary) {
    String name = null;
    boolean nameNotString = false;
    String datatype = null;
    boolean datatypeNotString = false;
    long[] shape = null;
    JsonNode shapeTree = null;
    Map<String, Object> params = Map.of();
    Tensor streamed = null;
    JsonNode dataTree = null;
    boolean hasData = false;
    for (String field = p.nextName(); field != null; field = p.nextName()) {
      JsonToken v = p.nextToken();
      switch (field) {
        case "name" -> {
          if (v == JsonToken.VALUE_STRING) {
            name = p.getText();
          } else {
            nameNotString = true;
            p.skipChildren();
          }
        }
        case "datatype" -> {
          if (v == JsonToken.VALUE_STRING) {
            datatype = p.getText();
          } else {
            datatypeNotString = true;
            p.skipChildren();
          }
        }
        case "shape" -> shapeTree = p.readValueAsTree();
        case "parameters" -> params = parameters(p, "input '" + name + "'");
        case "data" -> {
          hasData = v != JsonToken.VALUE_NULL;
          DataType type = datatype == null ? null : DataType.fromWireName(datatype).orElse(null);
          if (hasData
              && name != null
              && !name.isEmpty()
              && type != null
              && shapeTree != null
              && shape == null) {
            shape = shape(name, shapeTree);
          }
          if (hasData && name != null && !name.isEmpty() && type != null && shape != null) {
            streamed = data(p, name, type, shape);
          } else {
            dataTree = p.readValueAsTree();
          }
        }
        default -> p.skipChildren();
      }
    }
    if (name == null || nameNotString || name.isEmpty()) {
      throw InferenceException.invalid("each input needs a non-empty string 'name'");
    }
    if (datatype == null || datatypeNotString) {
      throw InferenceException.invalid("input '" + name + "' needs a string 'datatype'");
    }
    DataType type = DataType.fromWireName(datatype).orElse(null);
    if (type == null) {
      throw InferenceException.invalid(
          "input '" + name + "' has unknown datatype '" + datatype + "'");
    }
    if (shape == null) {
      shape = shape(name, shapeTree);
    }
    Object size = params.get(InferJsonCodec.BINARY_DATA_SIZE);
    if (size != null) {
      if (!(size instanceof Long len) || len < 0) {
        throw InferenceException.invalid(
            "input '" + name + "': binary_data_size must be a non-negative integer");
      }
      if (hasData) {
        throw InferenceException.invalid(
            "input '" + name + "' has both 'data' and binary_data_size");
      }
      if (len > binary.remaining()) {
        throw InferenceException.invalid(
            "input '"
                + name
                + "' declares "
                + len
                + " bytes of binary data but only "
                + binary.remaining()
                + " remain");
      }
      ByteBuffer raw = binary.slice(binary.position(), len.intValue());
      binary.position(binary.position() + len.intValue());
      long n = count(name, shape);
      try {
        return new NamedTensor(name, Tensor.ofRaw(type, shape, raw), params);
      } catch (IllegalArgumentException e) {
        throw InferenceException.invalid(
            "input '" + name + "': " + e.getMessage() + " (" + n + " elements)");
      }
    }
    if (streamed != null) {
      return new NamedTensor(name, streamed, params);
    }
    return new NamedTensor(
        name, TensorJson.decode(name, type, shape, dataTree, maxElements), params);
  }

  private long count(String name, long[] shape) {
    return InputLimits.elementCount(name, shape, maxElements);
  }

  private static long[] shape(String name, @Nullable JsonNode s) {
    if (s == null || !s.isArray()) {
      throw InferenceException.invalid("input '" + name + "' needs a 'shape' array");
    }
    if (s.size() > 16) {
      throw InferenceException.invalid(
          "input '" + name + "' has rank " + s.size() + "; at most 16 dimensions");
    }
    long[] out = new long[s.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode d = s.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
        throw InferenceException.invalid(
            "input '" + name + "': shape dimensions must be non-negative integers");
      }
      out[i] = d.longValue();
    }
    return out;
  }

  /**
   * Streams the data array (flat or nested) into a tensor; the parser on the data's first token.
   */
  private Tensor data(JsonParser p, String name, DataType type, long[] shape) {
    long n = count(name, shape);
    if (type == DataType.BYTES) {
      List<byte[]> values = new ArrayList<>((int) Math.min(n, 1 << 16));
      long seen =
          elements(
              p,
              name,
              n,
              () -> {
                if (p.currentToken() != JsonToken.VALUE_STRING) {
                  throw InferenceException.invalid(
                      "input '" + name + "' is BYTES: elements must be strings");
                }
                values.add(p.getText().getBytes(StandardCharsets.UTF_8));
              });
      checkCount(name, shape, seen, n);
      return Tensor.ofBytes(shape, values);
    }
    ByteBuffer b = ByteBuffer.allocate((int) (n * type.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
    long seen = elements(p, name, n, () -> put(p, name, type, b));
    checkCount(name, shape, seen, n);
    b.flip();
    return Tensor.ofRaw(type, shape, b);
  }

  private static void checkCount(String name, long[] shape, long seen, long n) {
    if (seen != n) {
      throw InferenceException.invalid(
          "input '"
              + name
              + "' has "
              + seen
              + " data elements but shape "
              + Shapes.toString(shape)
              + " needs "
              + n);
    }
  }

  /**
   * Visits the scalar elements of a (nested) array or a single scalar; returns how many there were.
   */
  private static long elements(JsonParser p, String name, long limit, Runnable element) {
    JsonToken t = p.currentToken();
    if (t != JsonToken.START_ARRAY) {
      scalar(t, name);
      if (limit < 1) {
        throw InferenceException.invalid(
            "input '" + name + "' has more data elements than its shape allows (" + limit + ")");
      }
      element.run();
      return 1;
    }
    int depth = 1;
    long count = 0;
    while (depth > 0) {
      t = p.nextToken();
      if (t == JsonToken.START_ARRAY) {
        if (++depth > MAX_DEPTH) {
          throw InferenceException.invalid("input '" + name + "': data nested too deeply");
        }
      } else if (t == JsonToken.END_ARRAY) {
        depth--;
      } else {
        scalar(t, name);
        if (++count > limit) {
          throw InferenceException.invalid(
              "input '" + name + "' has more data elements than its shape allows (" + limit + ")");
        }
        element.run();
      }
    }
    return count;
  }

  private static void scalar(JsonToken t, String name) {
    if (t == JsonToken.START_OBJECT) {
      throw InferenceException.invalid("input '" + name + "': data elements cannot be objects");
    }
  }

  private static void put(JsonParser p, String name, DataType type, ByteBuffer b) {
    JsonToken t = p.currentToken();
    switch (type) {
      case BOOL -> {
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
          throw kind(name, type, "true or false");
        }
        b.put((byte) (t == JsonToken.VALUE_TRUE ? 1 : 0));
      }
      case FP32 -> {
        number(t, name, type);
        b.putFloat(p.getFloatValue());
      }
      case FP64 -> {
        number(t, name, type);
        b.putDouble(p.getDoubleValue());
      }
      case FP16 -> {
        number(t, name, type);
        b.putShort(Half.fromFloat(p.getFloatValue()));
      }
      case BF16 -> {
        number(t, name, type);
        b.putShort(Half.bf16FromFloat(p.getFloatValue()));
      }
      case INT8 -> b.put((byte) integer(p, name, type, Byte.MIN_VALUE, Byte.MAX_VALUE));
      case UINT8 -> b.put((byte) integer(p, name, type, 0, 255));
      case INT16 -> b.putShort((short) integer(p, name, type, Short.MIN_VALUE, Short.MAX_VALUE));
      case UINT16 -> b.putShort((short) integer(p, name, type, 0, 65535));
      case INT32 -> b.putInt((int) integer(p, name, type, Integer.MIN_VALUE, Integer.MAX_VALUE));
      case UINT32 -> b.putInt((int) integer(p, name, type, 0, 0xFFFFFFFFL));
      case INT64 -> b.putLong(integer(p, name, type, Long.MIN_VALUE, Long.MAX_VALUE));
      case UINT64 -> {
        if (t != JsonToken.VALUE_NUMBER_INT) {
          throw kind(name, type, "integers in [0, 2^64)");
        }
        BigInteger v = p.getBigIntegerValue();
        if (v.signum() < 0 || v.bitLength() > 64) {
          throw kind(name, type, "integers in [0, 2^64)");
        }
        b.putLong(v.longValue());
      }
      default -> throw new IllegalStateException("unexpected " + type);
    }
  }

  private static void number(JsonToken t, String name, DataType type) {
    if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
      throw kind(name, type, "numbers");
    }
  }

  private static long integer(JsonParser p, String name, DataType type, long min, long max) {
    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
        || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw kind(name, type, "integers");
    }
    return TensorJson.inRange(name, type, p.getLongValue(), min, max);
  }

  private static InferenceException kind(String name, DataType type, String expected) {
    return TensorJson.kind(name, type, expected);
  }

  private static List<RequestedOutput> outputs(JsonParser p) {
    JsonToken t = p.currentToken();
    List<RequestedOutput> out = new ArrayList<>();
    if (t == JsonToken.VALUE_NULL) {
      return out;
    }
    if (t != JsonToken.START_ARRAY) {
      throw InferenceException.invalid("'outputs' must be an array");
    }
    for (t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.START_OBJECT) {
        throw InferenceException.invalid("each requested output needs a string 'name'");
      }
      String name = null;
      Map<String, Object> params = Map.of();
      for (String field = p.nextName(); field != null; field = p.nextName()) {
        JsonToken v = p.nextToken();
        if (field.equals("name") && v == JsonToken.VALUE_STRING) {
          name = p.getText();
        } else if (field.equals("parameters")) {
          params = parameters(p, "output");
        } else {
          p.skipChildren();
        }
      }
      if (name == null) {
        throw InferenceException.invalid("each requested output needs a string 'name'");
      }
      out.add(new RequestedOutput(name, params));
    }
    return out;
  }

  /**
   * A flat parameters object (values: string, number or boolean); the parser on its first token.
   */
  static Map<String, Object> parameters(JsonParser p, String where) {
    Map<String, Object> out = new LinkedHashMap<>();
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      return out;
    }
    if (t != JsonToken.START_OBJECT) {
      p.skipChildren();
      throw InferenceException.invalid("'parameters' of the " + where + " must be an object");
    }
    for (String key = p.nextName(); key != null; key = p.nextName()) {
      JsonToken v = p.nextToken();
      Object value =
          switch (v) {
            case VALUE_STRING -> p.getText();
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            case VALUE_NUMBER_INT -> {
              if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                yield p.getDoubleValue();
              }
              yield p.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            default ->
                throw InferenceException.invalid(
                    "parameter '"
                        + key
                        + "' of the "
                        + where
                        + " must be a string, number or boolean");
          };
      out.put(key, value);
    }
    return out;
  }
}
