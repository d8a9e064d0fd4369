package io.edgenpu.experiments.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.google.protobuf.ByteString;
import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.onnx.OnnxProtos;
import io.edgenpu.npu.onnx.ShapeInference;
import io.edgenpu.npu.onnx.proto.OnnxProto;
import io.edgenpu.npu.onnx.proto.OnnxProto.AttributeProto;
import io.edgenpu.npu.onnx.proto.OnnxProto.NodeProto;
import io.edgenpu.npu.onnx.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every operator family that {@link ShapeInference} covers, checked against ONNX Runtime itself: a
 * one-node graph (opset 17) whose first input has a symbolic batch dimension is inferred at batch 2
 * and run by ONNX Runtime at batch 2; every output's shape must agree. Constant inputs (shapes,
 * axes, indices, pads, scales) are initialisers, as exporters write them, so the constant folding
 * is exercised too.
 */
class ShapeInferenceAgainstOrtTest {
  private static final long BATCH = 2;
  private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

  /**
   * A one-node graph: float inputs (first dimension symbolic), constant initialisers, attributes.
   */
  record Case(
      String name,
      String op,
      List<long[]> inputs,
      Map<String, TensorProto> constants,
      List<AttributeProto> attributes,
      int outputs) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Case op(String op, long[]... inputs) {
    return new Case(op, op, List.of(inputs), new LinkedHashMap<>(), new ArrayList<>(), 1);
  }

  private static Case named(String name, Case c) {
    return new Case(name, c.op(), c.inputs(), c.constants(), c.attributes(), c.outputs());
  }

  private static Case ints(Case c, String attr, long... v) {
    AttributeProto.Builder a =
        AttributeProto.newBuilder().setName(attr).setType(AttributeProto.AttributeType.INTS);
    for (long x : v) {
      a.addInts(x);
    }
    c.attributes().add(a.build());
    return c;
  }

  private static Case i(Case c, String attr, long v) {
    c.attributes()
        .add(
            AttributeProto.newBuilder()
                .setName(attr)
                .setType(AttributeProto.AttributeType.INT)
                .setI(v)
                .build());
    return c;
  }

  private static Case s(Case c, String attr, String v) {
    c.attributes()
        .add(
            AttributeProto.newBuilder()
                .setName(attr)
                .setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(v))
                .build());
    return c;
  }

  /** A constant int64 input (after the float inputs, in the order added). */
  private static Case longs(Case c, String name, long... v) {
    TensorProto.Builder t =
        TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE);
    t.addDims(v.length);
    for (long x : v) {
      t.addInt64Data(x);
    }
    c.constants().put(name, t.build());
    return c;
  }

  /** A constant float input of the given shape, filled with {@code value}. */
  private static Case floats(Case c, String name, float value, long... shape) {
    TensorProto.Builder t =
        TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
    long n = 1;
    for (long d : shape) {
      t.addDims(d);
      n *= d;
    }
    for (long k = 0; k < n; k++) {
      t.addFloatData(value);
    }
    c.constants().put(name, t.build());
    return c;
  }

  /** A constant 1-D float input with these values. */
  private static Case floatValues(Case c, String name, float... v) {
    TensorProto.Builder t =
        TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
    t.addDims(v.length);
    for (float x : v) {
      t.addFloatData(x);
    }
    c.constants().put(name, t.build());
    return c;
  }

  private static Case outputs(Case c, int n) {
    return new Case(c.name(), c.op(), c.inputs(), c.constants(), c.attributes(), n);
  }

  private static long[] d(long... dims) {
    return dims;
  }

  static Stream<Case> cases() {
    long[] x = d(BATCH, 3, 8, 8);
    List<Case> all = new ArrayList<>();
    for (String unary :
        List.of(
            "Relu",
            "Sigmoid",
            "Tanh",
            "Exp",
            "Abs",
            "Neg",
            "Erf",
            "Softplus",
            "HardSwish",
            "Floor",
            "Ceil",
            "Round",
            "Sign",
            "Reciprocal",
            "Sin",
            "Cos")) {
      all.add(op(unary, x));
    }
    all.add(i(named("Softmax axis 1", op("Softmax", x)), "axis", 1));
    all.add(i(named("LogSoftmax", op("LogSoftmax", d(BATCH, 10))), "axis", -1));
    all.add(named("LeakyRelu", op("LeakyRelu", x)));
    all.add(named("Add broadcast", op("Add", d(BATCH, 3, 4), d(4))));
    all.add(named("Mul broadcast both", op("Mul", d(BATCH, 1, 4), d(3, 1))));
    all.add(op("Sub", d(BATCH, 5), d(BATCH, 5)));
    all.add(op("Div", d(BATCH, 5), d(1)));
    all.add(op("Pow", d(BATCH, 5), d(1)));
    all.add(op("Max", d(BATCH, 5), d(5), d(1, 5)));
    all.add(op("Equal", d(BATCH, 4), d(4)));
    all.add(named("MatMul 3-D x 2-D", op("MatMul", d(BATCH, 3, 4), d(4, 5))));
    all.add(named("MatMul batched", op("MatMul", d(BATCH, 2, 3, 4), d(BATCH, 2, 4, 6))));
    all.add(i(named("Gemm transB", op("Gemm", d(BATCH, 4), d(5, 4))), "transB", 1));
    all.add(
        s(
            named("Einsum batched left product", op("Einsum", d(BATCH, 4, 3, 8), d(5, 4))),
            "equation",
            "bnmd,kn->bkmd"));
    all.add(
        s(
            named("Einsum contraction to 2-D", op("Einsum", d(BATCH, 4, 6), d(6, 2))),
            "equation",
            "bij,jk->bk"));
    all.add(
        ints(
            ints(
                floats(named("Conv stride 2 pad 1", op("Conv", x)), "w", 0.1f, 4, 3, 3, 3),
                "pads",
                1,
                1,
                1,
                1),
            "strides",
            2,
            2));
    all.add(
        i(
            floats(named("Conv grouped", op("Conv", d(BATCH, 4, 7, 7))), "w", 0.1f, 8, 2, 3, 3),
            "group",
            2));
    all.add(
        ints(
            floats(named("Conv dilated", op("Conv", x)), "w", 0.1f, 2, 3, 3, 3),
            "dilations",
            2,
            2));
    all.add(
        ints(
            ints(
                floats(
                    named("ConvTranspose stride 2", op("ConvTranspose", d(BATCH, 4, 5, 5))),
                    "w",
                    0.1f,
                    4,
                    2,
                    3,
                    3),
                "strides",
                2,
                2),
            "output_padding",
            1,
            1));
    all.add(
        ints(ints(named("MaxPool 2x2", op("MaxPool", x)), "kernel_shape", 2, 2), "strides", 2, 2));
    all.add(
        i(
            ints(
                ints(
                    named("AveragePool ceil", op("AveragePool", d(BATCH, 3, 7, 7))),
                    "kernel_shape",
                    3,
                    3),
                "strides",
                2,
                2),
            "ceil_mode",
            1));
    all.add(op("GlobalAveragePool", x));
    all.add(
        floats(
            floats(
                floats(
                    floats(named("BatchNormalization", op("BatchNormalization", x)), "g", 1f, 3),
                    "b",
                    0f,
                    3),
                "m",
                0f,
                3),
            "v",
            1f,
            3));
    all.add(
        floats(
            floats(
                named("LayerNormalization", op("LayerNormalization", d(BATCH, 6, 16))),
                "g",
                1f,
                16),
            "b",
            0f,
            16));
    all.add(longs(named("Reshape 0 -1", op("Reshape", x)), "shape", 0, -1));
    all.add(longs(named("Reshape to 3-D", op("Reshape", x)), "shape", 0, 24, 8));
    all.add(i(named("Flatten axis 2", op("Flatten", x)), "axis", 2));
    all.add(ints(named("Transpose", op("Transpose", x)), "perm", 0, 2, 3, 1));
    all.add(i(named("Concat axis 1", op("Concat", x, d(BATCH, 5, 8, 8))), "axis", 1));
    all.add(outputs(i(longs(named("Split 1+2", op("Split", x)), "split", 1, 2), "axis", 1), 2));
    all.add(
        longs(
            longs(
                longs(
                    longs(named("Slice with steps", op("Slice", x)), "starts", 1, 0), "ends", 8, 7),
                "axes",
                2,
                3),
            "steps",
            2,
            3));
    all.add(
        longs(
            longs(
                longs(named("Slice negative end", op("Slice", d(BATCH, 10))), "starts", 2),
                "ends",
                -1),
            "axes",
            1));
    all.add(
        i(longs(named("Gather axis 1", op("Gather", d(BATCH, 5, 4))), "idx", 0, 3, 3), "axis", 1));
    all.add(longs(named("Unsqueeze", op("Unsqueeze", d(BATCH, 5))), "axes", 1, 3));
    all.add(longs(named("Squeeze", op("Squeeze", d(BATCH, 1, 5, 1))), "axes", 1));
    all.add(longs(named("Expand", op("Expand", d(BATCH, 1, 4))), "shape", 3, 1));
    all.add(longs(named("Tile", op("Tile", d(BATCH, 2, 3))), "reps", 1, 2, 3));
    all.add(longs(named("Pad", op("Pad", x)), "pads", 0, 0, 1, 2, 0, 0, 3, 4));
    all.add(
        floatValues(
            floats(named("Resize by scales", op("Resize", x)), "roi", 0f, 0),
            "scales",
            1,
            1,
            2,
            2));
    all.add(i(named("DepthToSpace", op("DepthToSpace", d(BATCH, 8, 3, 3))), "blocksize", 2));
    all.add(i(named("SpaceToDepth", op("SpaceToDepth", d(BATCH, 2, 4, 4))), "blocksize", 2));
    all.add(
        i(ints(named("ReduceMean keepdims 0", op("ReduceMean", x)), "axes", 2, 3), "keepdims", 0));
    all.add(longs(named("ReduceSum axes input", op("ReduceSum", x)), "axes", 1));
    all.add(i(named("ArgMax", op("ArgMax", d(BATCH, 10))), "axis", 1));
    all.add(op("Shape", x));
    all.add(i(named("Cast to int64", op("Cast", x)), "to", TensorProto.DataType.INT64_VALUE));
    all.add(op("Identity", x));
    all.add(named("Clip", op("Clip", x)));
    all.add(longs(named("CumSum", op("CumSum", d(BATCH, 6))), "axis", 1));
    all.add(
        s(
            named("Conv auto_pad SAME_UPPER", floats(op("Conv", x), "w", 0.1f, 4, 3, 3, 3)),
            "auto_pad",
            "SAME_UPPER"));
    return all.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void inferredShapesMatchWhatOnnxRuntimeComputes(Case c) throws Exception {
    byte[] model = model(c);
    ShapeInference.Result inferred = ShapeInference.infer(OnnxModel.parse(c.name(), model), BATCH);
    assertThat(inferred.unsupported()).as("operators not covered").isEmpty();

    try (OrtSession session = ENV.createSession(model, new OrtSession.SessionOptions())) {
      Map<String, OnnxTensor> feeds = new HashMap<>();
      SplittableRandom rnd = new SplittableRandom(7);
      for (int k = 0; k < c.inputs().size(); k++) {
        long[] shape = c.inputs().get(k);
        int n = 1;
        for (long dim : shape) {
          n *= (int) dim;
        }
        float[] v = new float[n];
        for (int e = 0; e < n; e++) {
          v[e] = (float) rnd.nextDouble(0.1, 1.0);
        }
        feeds.put("x" + k, OnnxTensor.createTensor(ENV, FloatBuffer.wrap(v), shape));
      }
      try (OrtSession.Result result = session.run(feeds)) {
        for (int o = 0; o < c.outputs(); o++) {
          OnnxValue value = result.get(o);
          long[] actual = ((TensorInfo) value.getInfo()).getShape();
          assertThat(inferred.shape("y" + o))
              .as("output y" + o + " of " + c)
              .containsExactly(actual);
        }
      } finally {
        feeds.values().forEach(OnnxTensor::close);
      }
    }
  }

  private static byte[] model(Case c) throws IOException {
    NodeProto.Builder node = NodeProto.newBuilder().setOpType(c.op()).setName("n");
    OnnxProto.GraphProto.Builder g = OnnxProto.GraphProto.newBuilder().setName(c.name());
    for (int k = 0; k < c.inputs().size(); k++) {
      node.addInput("x" + k);
      g.addInput(valueInfo("x" + k, c.inputs().get(k), k == 0));
    }
    for (Map.Entry<String, TensorProto> e : c.constants().entrySet()) {
      node.addInput(e.getKey());
      g.addInitializer(e.getValue());
    }
    for (int o = 0; o < c.outputs(); o++) {
      node.addOutput("y" + o);
      g.addOutput(
          OnnxProto.ValueInfoProto.newBuilder()
              .setName("y" + o)
              .setType(
                  OnnxProto.TypeProto.newBuilder()
                      .setTensorType(
                          OnnxProto.TypeProto.Tensor.newBuilder().setElemType(outputType(c)))));
    }
    node.addAllAttribute(c.attributes());
    g.addNode(node);
    return OnnxProto.ModelProto.newBuilder()
        .setIrVersion(8)
        .setProducerName("ShapeInferenceAgainstOrtTest")
        .addOpsetImport(OnnxProto.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
        .setGraph(g)
        .build()
        .toByteArray();
  }

  private static int outputType(Case c) {
    return switch (c.op()) {
      case "Shape", "ArgMax" -> TensorProto.DataType.INT64_VALUE;
      case "Equal" -> TensorProto.DataType.BOOL_VALUE;
      case "Cast" -> TensorProto.DataType.INT64_VALUE;
      default -> TensorProto.DataType.FLOAT_VALUE;
    };
  }

  private static OnnxProto.ValueInfoProto valueInfo(
      String name, long[] shape, boolean symbolicBatch) {
    Object[] dims = new Object[shape.length];
    for (int k = 0; k < shape.length; k++) {
      dims[k] = k == 0 && symbolicBatch ? "N" : (Object) shape[k];
    }
    return OnnxProtos.tensorInfo(name, TensorProto.DataType.FLOAT_VALUE, dims);
  }
}
