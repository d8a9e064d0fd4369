package io.edgenpu.service.grpc;

import com.google.protobuf.ByteString;
import io.edgenpu.api.grpc.InferParameter;
import io.edgenpu.api.grpc.InferTensorContents;
import io.edgenpu.api.grpc.ModelInferRequest;
import io.edgenpu.api.grpc.ModelInferResponse;
import io.edgenpu.api.tensor.DataType;
import io.edgenpu.api.tensor.Shapes;
import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.InferenceRequest;
import io.edgenpu.service.inference.InferenceResult;
import io.edgenpu.service.inference.InputLimits;
import io.edgenpu.service.inference.NamedTensor;
import io.edgenpu.service.inference.RequestedOutput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Protobuf messages of the OIP gRPC API to and from protocol-independent requests. Inputs come
 * either as typed {@code contents} or as {@code raw_input_contents} (never both); outputs are
 * always returned as {@code raw_output_contents}, as Triton does. Stateless.
 */
final class GrpcCodec {
  private GrpcCodec() {}

  static InferenceRequest decode(ModelInferRequest req, long deadlineNanos, long maxElements) {
    if (req.getModelName().isEmpty()) {
      throw InferenceException.invalid("model_name is required");
    }
    if (req.getInputsCount() == 0) {
      throw InferenceException.invalid("the request has no inputs");
    }
    boolean raw = req.getRawInputContentsCount() > 0;
    if (raw && req.getRawInputContentsCount() != req.getInputsCount()) {
      throw InferenceException.invalid(
          "raw_input_contents has "
              + req.getRawInputContentsCount()
              + " entries for "
              + req.getInputsCount()
              + " inputs");
    }
    List<NamedTensor> inputs = new ArrayList<>();
    for (int i = 0; i < req.getInputsCount(); i++) {
      ModelInferRequest.InferInputTensor in = req.getInputs(i);
      String name = in.getName();
      if (name.isEmpty()) {
        throw InferenceException.invalid("input " + i + " has no name");
      }
      DataType type =
          DataType.fromWireName(in.getDatatype())
              .orElseThrow(
                  () ->
                      InferenceException.invalid(
                          "input '" + name + "' has unknown datatype '" + in.getDatatype() + "'"));
      long[] shape = new long[in.getShapeCount()];
      for (int d = 0; d < shape.length; d++) {
        shape[d] = in.getShape(d);
      }
      long n = InputLimits.elementCount(name, shape, maxElements);
      Tensor t;
      try {
        if (raw) {
          if (in.hasContents()) {
            throw InferenceException.invalid(
                "input '" + name + "' sets contents although raw_input_contents is used");
          }
          t = Tensor.ofRaw(type, shape, req.getRawInputContents(i).asReadOnlyByteBuffer());
        } else {
          if (!in.hasContents()) {
            throw InferenceException.invalid("input '" + name + "' has no contents");
          }
          t = fromContents(name, type, shape, n, in.getContents());
        }
      } catch (IllegalArgumentException e) {
        throw InferenceException.invalid("input '" + name + "': " + e.getMessage());
      }
      inputs.add(new NamedTensor(name, t, parameters(in.getParametersMap())));
    }
    List<RequestedOutput> outputs = new ArrayList<>();
    for (ModelInferRequest.InferRequestedOutputTensor o : req.getOutputsList()) {
      outputs.add(new RequestedOutput(o.getName(), parameters(o.getParametersMap())));
    }
    return new InferenceRequest(
        req.getModelName(),
        req.getModelVersion(),
        req.getId(),
        inputs,
        outputs,
        parameters(req.getParametersMap()),
        deadlineNanos);
  }

  private static Tensor fromContents(
      String name, DataType type, long[] shape, long n, InferTensorContents c) {
    int count =
        switch (type) {
          case BOOL -> c.getBoolContentsCount();
          case INT8, INT16, INT32 -> c.getIntContentsCount();
          case INT64 -> c.getInt64ContentsCount();
          case UINT8, UINT16, UINT32 -> c.getUintContentsCount();
          case UINT64 -> c.getUint64ContentsCount();
          case FP32 -> c.getFp32ContentsCount();
          case FP64 -> c.getFp64ContentsCount();
          case BYTES -> c.getBytesContentsCount();
          case FP16, BF16 ->
              throw InferenceException.invalid(
                  "input '" + name + "' is " + type + ": send it in raw_input_contents");
        };
    if (count != n) {
      throw InferenceException.invalid(
          "input '"
              + name
              + "' has "
              + count
              + " "
              + type
              + " elements but shape "
              + Shapes.toString(shape)
              + " needs "
              + n);
    }
    if (type == DataType.BYTES) {
      List<byte[]> values = new ArrayList<>(count);
      for (ByteString b : c.getBytesContentsList()) {
        values.add(b.toByteArray());
      }
      return Tensor.ofBytes(shape, values);
    }
    ByteBuffer b = ByteBuffer.allocate(count * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < count; i++) {
      switch (type) {
        case BOOL -> b.put((byte) (c.getBoolContents(i) ? 1 : 0));
        case INT8 ->
            b.put((byte) range(name, type, c.getIntContents(i), Byte.MIN_VALUE, Byte.MAX_VALUE));
        case INT16 ->
            b.putShort(
                (short) range(name, type, c.getIntContents(i), Short.MIN_VALUE, Short.MAX_VALUE));
        case INT32 -> b.putInt(c.getIntContents(i));
        case INT64 -> b.putLong(c.getInt64Contents(i));
        case UINT8 ->
            b.put((byte) range(name, type, Integer.toUnsignedLong(c.getUintContents(i)), 0, 255));
        case UINT16 ->
            b.putShort(
                (short) range(name, type, Integer.toUnsignedLong(c.getUintContents(i)), 0, 65535));
        case UINT32 -> b.putInt(c.getUintContents(i));
        case UINT64 -> b.putLong(c.getUint64Contents(i));
        case FP32 -> b.putFloat(c.getFp32Contents(i));
        case FP64 -> b.putDouble(c.getFp64Contents(i));
        default -> throw new IllegalStateException("unexpected " + type);
      }
    }
    b.flip();
    return Tensor.ofRaw(type, shape, b);
  }

  private static long range(String name, DataType type, long v, long min, long max) {
    if (v < min || v > max) {
      throw InferenceException.invalid(
          "input '"
              + name
              + "' is "
              + type
              + ": element "
              + v
              + " is out of range ["
              + min
              + ", "
              + max
              + "]");
    }
    return v;
  }

  static Map<String, Object> parameters(Map<String, InferParameter> params) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, InferParameter> e : params.entrySet()) {
      InferParameter p = e.getValue();
      Object v =
          switch (p.getParameterChoiceCase()) {
            case BOOL_PARAM -> p.getBoolParam();
            case INT64_PARAM -> p.getInt64Param();
            case STRING_PARAM -> p.getStringParam();
            case DOUBLE_PARAM -> p.getDoubleParam();
            case UINT64_PARAM -> p.getUint64Param();
            case PARAMETERCHOICE_NOT_SET ->
                throw InferenceException.invalid("parameter '" + e.getKey() + "' has no value");
          };
      out.put(e.getKey(), v);
    }
    return out;
  }

  static InferParameter parameter(Object v) {
    InferParameter.Builder b = InferParameter.newBuilder();
    if (v instanceof Boolean x) {
      b.setBoolParam(x);
    } else if (v instanceof Long || v instanceof Integer) {
      b.setInt64Param(((Number) v).longValue());
    } else if (v instanceof Number n) {
      b.setDoubleParam(n.doubleValue());
    } else {
      b.setStringParam(String.valueOf(v));
    }
    return b.build();
  }

  static ModelInferResponse encode(InferenceResult r) {
    ModelInferResponse.Builder b =
        ModelInferResponse.newBuilder()
            .setModelName(r.model())
            .setModelVersion(r.version())
            .setId(r.id() == null ? "" : r.id());
    for (Map.Entry<String, Object> e : r.parameters().entrySet()) {
      b.putParameters(e.getKey(), parameter(e.getValue()));
    }
    for (NamedTensor o : r.outputs()) {
      ModelInferResponse.InferOutputTensor.Builder t =
          ModelInferResponse.InferOutputTensor.newBuilder()
              .setName(o.name())
              .setDatatype(o.tensor().dataType().wireName());
      for (long d : o.tensor().shape()) {
        t.addShape(d);
      }
      b.addOutputs(t);
      b.addRawOutputContents(ByteString.copyFrom(o.tensor().toRawBytes()));
    }
    return b.build();
  }
}
