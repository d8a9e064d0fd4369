package io.edgenpu.service.rest;

import io.edgenpu.api.tensor.DataType;
import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.InferenceRequest;
import io.edgenpu.service.inference.InferenceResult;
import io.edgenpu.service.inference.NamedTensor;
import io.edgenpu.service.inference.RequestedOutput;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OIP REST inference body: JSON requests and responses, and Triton's binary tensor extension (a
 * JSON header of {@code Inference-Header-Content-Length} bytes followed by raw tensors, in the
 * order of the inputs that declare {@code binary_data_size}). Stateless and thread-safe.
 */
public final class InferJsonCodec {
  static final String BINARY_DATA_SIZE = "binary_data_size";
  static final String BINARY_DATA = "binary_data";
  static final String BINARY_DATA_OUTPUT = "binary_data_output";

  private final JsonMapper mapper;
  private final InferRequestReader reader;

  public InferJsonCodec(long maxTensorElements) {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(64).maxNumberLength(100).build())
            .build();
    this.mapper = JsonMapper.builder(factory).build();
    this.reader = new InferRequestReader(mapper, maxTensorElements);
    warmUp(mapper);
  }

  /**
   * Builds and caches the mapper's tree (de)serializers now: Jackson creates them on first use
   * under a lock, and concurrent first requests on several event loops would otherwise wait on it
   * (BlockHound saw it).
   */
  static void warmUp(JsonMapper mapper) {
    mapper.readTree("{\"a\":[1,2.5,\"s\",true,null,{}]}");
    mapper.writeValueAsString(Map.of("a", List.of(1, 2.5, "s", true)));
    mapper.writeValueAsString(mapper.readTree("{\"a\":[1]}"));
  }

  public JsonMapper mapper() {
    return mapper;
  }

  /** Parses JSON into a tree; malformed JSON is a 400. */
  public JsonNode parse(byte[] body, int offset, int length) {
    if (length == 0) {
      throw InferenceException.invalid("the request body is empty");
    }
    try {
      JsonNode root = mapper.readTree(body, offset, length);
      if (root == null || root.isMissingNode()) {
        throw InferenceException.invalid("the request body is empty");
      }
      return root;
    } catch (JacksonException e) {
      throw InferenceException.invalid("malformed JSON: " + e.getOriginalMessage());
    }
  }

  /**
   * Decodes an inference request (streaming: tensor data goes straight into primitive buffers).
   *
   * @param jsonLength length of the JSON header; the rest of {@code body} is binary tensor data
   */
  public InferenceRequest decode(
      String model, String version, byte[] body, int jsonLength, long deadlineNanos) {
    if (jsonLength < 0 || jsonLength > body.length) {
      throw InferenceException.invalid(
          "the JSON header is " + jsonLength + " bytes but the body has " + body.length);
    }
    ByteBuffer binary = ByteBuffer.wrap(body, jsonLength, body.length - jsonLength).slice();
    return reader.read(model, version, body, jsonLength, binary, deadlineNanos, false);
  }

  /**
   * Decodes one message of the WebSocket stream: an inference request (JSON only) that names its
   * model in {@code model_name} (and optionally {@code model_version}), as gRPC's ModelInferRequest
   * does.
   */
  public InferenceRequest decodeStreamMessage(byte[] message) {
    return reader.read(null, null, message, message.length, ByteBuffer.allocate(0), 0, true);
  }

  static Map<String, Object> parameters(JsonNode p, String where) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (p == null || p.isNull()) {
      return out;
    }
    if (!p.isObject()) {
      throw InferenceException.invalid("'parameters' of the " + where + " must be an object");
    }
    for (Map.Entry<String, JsonNode> e : p.properties()) {
      JsonNode v = e.getValue();
      Object value;
      if (v.isString()) {
        value = v.stringValue();
      } else if (v.isBoolean()) {
        value = v.booleanValue();
      } else if (v.isIntegralNumber() && v.canConvertToLong()) {
        value = v.longValue();
      } else if (v.isNumber()) {
        value = v.doubleValue();
      } else {
        throw InferenceException.invalid(
            "parameter '"
                + e.getKey()
                + "' of the "
                + where
                + " must be a string, number or boolean");
      }
      out.put(e.getKey(), value);
    }
    return out;
  }

  /**
   * An encoded response: the body, and the JSON header length when binary data follows (else -1).
   */
  public record Encoded(byte[] body, int jsonLength) {}

  /**
   * Encodes a response. Outputs the client asked to get as binary (per output {@code binary_data},
   * or request-level {@code binary_data_output}) follow the JSON as raw bytes.
   */
  public Encoded encode(InferenceResult r, InferenceRequest req) {
    boolean allBinary = Boolean.TRUE.equals(req.parameters().get(BINARY_DATA_OUTPUT));
    Map<String, Boolean> binaryByName = new LinkedHashMap<>();
    for (RequestedOutput o : req.outputs()) {
      Object b = o.parameters().get(BINARY_DATA);
      if (b != null) {
        binaryByName.put(o.name(), Boolean.TRUE.equals(b));
      }
    }
    ByteArrayOutputStream json = new ByteArrayOutputStream(256);
    List<Tensor> binaries = new ArrayList<>();
    try (JsonGenerator g = mapper.createGenerator(json)) {
      g.writeStartObject();
      g.writeStringProperty("model_name", r.model());
      g.writeStringProperty("model_version", r.version());
      if (r.id() != null && !r.id().isEmpty()) {
        g.writeStringProperty("id", r.id());
      }
      if (!r.parameters().isEmpty()) {
        g.writeName("parameters");
        writeParameters(g, r.parameters());
      }
      g.writeArrayPropertyStart("outputs");
      for (NamedTensor o : r.outputs()) {
        Tensor t = o.tensor();
        g.writeStartObject();
        g.writeStringProperty("name", o.name());
        g.writeStringProperty("datatype", t.dataType().wireName());
        g.writeArrayPropertyStart("shape");
        for (long d : t.shape()) {
          g.writeNumber(d);
        }
        g.writeEndArray();
        boolean binary =
            binaryByName.getOrDefault(o.name(), allBinary)
                || t.dataType() == DataType.FP16
                || t.dataType() == DataType.BF16;
        if (binary) {
          g.writeObjectPropertyStart("parameters");
          g.writeNumberProperty(BINARY_DATA_SIZE, t.rawByteSize());
          g.writeEndObject();
          binaries.add(t);
        } else {
          g.writeName("data");
          TensorJson.write(g, t);
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    if (binaries.isEmpty()) {
      return new Encoded(json.toByteArray(), -1);
    }
    int jsonLength = json.size();
    for (Tensor t : binaries) {
      json.writeBytes(t.toRawBytes());
    }
    return new Encoded(json.toByteArray(), jsonLength);
  }

  static void writeParameters(JsonGenerator g, Map<String, Object> params) {
    g.writeStartObject();
    for (Map.Entry<String, Object> e : params.entrySet()) {
      Object v = e.getValue();
      if (v instanceof Boolean b) {
        g.writeBooleanProperty(e.getKey(), b);
      } else if (v instanceof Long || v instanceof Integer) {
        g.writeNumberProperty(e.getKey(), ((Number) v).longValue());
      } else if (v instanceof Number n) {
        g.writeNumberProperty(e.getKey(), n.doubleValue());
      } else {
        g.writeStringProperty(e.getKey(), String.valueOf(v));
      }
    }
    g.writeEndObject();
  }
}
