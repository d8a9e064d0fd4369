package io.edgenpu.experiments.fabnet;

import com.google.protobuf.ByteString;
import io.edgenpu.npu.onnx.LayerForms;
import io.edgenpu.npu.onnx.OnnxProtos;
import io.edgenpu.npu.onnx.proto.OnnxProto;
import io.edgenpu.npu.onnx.proto.OnnxProto.AttributeProto;
import io.edgenpu.npu.onnx.proto.OnnxProto.GraphProto;
import io.edgenpu.npu.onnx.proto.OnnxProto.NodeProto;
import io.edgenpu.npu.onnx.proto.OnnxProto.TensorProto;
import java.util.SplittableRandom;

/**
 * One butterfly layer as a two-form ONNX graph ({@link LayerForms}), with seeded random factors:
 * input {@code x} FLOAT [1, rows, n], output {@code y} FLOAT [1, rows, dOut]. The factored form is
 * the same two block-diagonal Einsums the ListOps exporter writes (c = 2^floor(log2 n / 2), r = n /
 * c; B1 [stacks, r, c, c], B2 [stacks, c, r, r]); the dense form is their product, an n x dOut
 * MatMul. Used to find at which widths each form is faster on a CPU.
 *
 * @param n input width (a power of two)
 * @param stacks butterflies side by side (output width stacks x n before truncation)
 * @param dOut output width, at most stacks x n
 */
record ButterflyLayerGraph(int n, int stacks, int dOut, int rows) {
  ButterflyLayerGraph {
    if (Integer.bitCount(n) != 1 || n < 4 || stacks < 1 || dOut < 1 || dOut > stacks * n) {
      throw new IllegalArgumentException("bad butterfly layer " + n + "x" + stacks + "->" + dOut);
    }
  }

  int c() {
    return 1 << (Integer.numberOfTrailingZeros(n) / 2);
  }

  int r() {
    return n / c();
  }

  /** Multiply-accumulates per token: dense n·dOut; factored stacks·n·(r + c). */
  long denseMacsPerToken() {
    return (long) n * dOut;
  }

  long factoredMacsPerToken() {
    return (long) stacks * n * (r() + c());
  }

  /** The graph with seeded factors; its form flag is {@code layer.factored} (false: dense). */
  OnnxProto.ModelProto build(long seed) {
    int c = c();
    int r = r();
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] b1 = gaussian(rnd, stacks * r * c * c, 1 / Math.sqrt(c));
    float[] b2 = gaussian(rnd, stacks * c * r * r, 1 / Math.sqrt(r));
    float[] w = new float[n * dOut];
    for (int s = 0; s < stacks; s++) {
      for (int i = 0; i < r; i++) {
        for (int j = 0; j < c; j++) {
          for (int j2 = 0; j2 < c; j2++) {
            float a = b1[((s * r + i) * c + j) * c + j2];
            for (int k = 0; k < r; k++) {
              int col = s * n + k * c + j2;
              if (col < dOut) {
                w[(i * c + j) * dOut + col] += a * b2[((s * c + j2) * r + i) * r + k];
              }
            }
          }
        }
      }
    }
    GraphProto.Builder factored =
        GraphProto.newBuilder()
            .setName("factored")
            .addNode(node("Reshape", "f0", "x", "shape_rc"))
            .addNode(einsum("f1", "lij,sijk->lsik", "f0", "B1"))
            .addNode(einsum("f2", "lsij,sjik->lskj", "f1", "B2"))
            .addNode(node("Reshape", "f3", "f2", "shape_flat"));
    String last = "f3";
    if (dOut < stacks * n) {
      factored.addNode(node("Slice", "f4", "f3", "zero", "d_out", "one"));
      last = "f4";
    }
    factored.addNode(node("Reshape", "yf", last, "shape_out")).addOutput(output("yf"));
    GraphProto dense =
        GraphProto.newBuilder()
            .setName("dense")
            .addNode(node("MatMul", "yd", "x", "W"))
            .addOutput(output("yd"))
            .build();
    NodeProto choice =
        NodeProto.newBuilder()
            .setOpType("If")
            .addInput("layer" + LayerForms.SUFFIX)
            .addOutput("y")
            .addAttribute(graphAttr("then_branch", factored.build()))
            .addAttribute(graphAttr("else_branch", dense))
            .build();
    GraphProto graph =
        GraphProto.newBuilder()
            .setName("butterfly-layer")
            .addNode(choice)
            .addInput(OnnxProtos.tensorInfo("x", TensorProto.DataType.FLOAT_VALUE, 1, rows, n))
            .addOutput(OnnxProtos.tensorInfo("y", TensorProto.DataType.FLOAT_VALUE, 1, rows, dOut))
            .addInitializer(OnnxProtos.floats("B1", b1, stacks, r, c, c))
            .addInitializer(OnnxProtos.floats("B2", b2, stacks, c, r, r))
            .addInitializer(OnnxProtos.floats("W", w, n, dOut))
            .addInitializer(longs("shape_rc", -1, r, c))
            .addInitializer(longs("shape_flat", -1, (long) stacks * n))
            .addInitializer(longs("shape_out", 1, rows, dOut))
            .addInitializer(longs("zero", 0))
            .addInitializer(longs("d_out", dOut))
            .addInitializer(longs("one", 1))
            .addInitializer(
                TensorProto.newBuilder()
                    .setName("layer" + LayerForms.SUFFIX)
                    .setDataType(TensorProto.DataType.BOOL_VALUE)
                    .addInt32Data(0))
            .build();
    return OnnxProto.ModelProto.newBuilder()
        .setIrVersion(9)
        .addOpsetImport(OnnxProto.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
        .setGraph(graph)
        .build();
  }

  private static float[] gaussian(SplittableRandom rnd, int count, double scale) {
    float[] v = new float[count];
    for (int i = 0; i < count; i++) {
      // Box-Muller
      double u = 1 - rnd.nextDouble();
      v[i] =
          (float) (scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble()));
    }
    return v;
  }

  private static NodeProto node(String op, String out, String... in) {
    NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).addOutput(out);
    for (String i : in) {
      b.addInput(i);
    }
    return b.build();
  }

  private static NodeProto einsum(String out, String equation, String a, String b) {
    return node("Einsum", out, a, b).toBuilder()
        .addAttribute(
            AttributeProto.newBuilder()
                .setName("equation")
                .setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(equation)))
        .build();
  }

  private static AttributeProto graphAttr(String name, GraphProto g) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.GRAPH)
        .setG(g)
        .build();
  }

  private static OnnxProto.ValueInfoProto output(String name) {
    return OnnxProto.ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            OnnxProto.TypeProto.newBuilder()
                .setTensorType(
                    OnnxProto.TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT_VALUE)))
        .build();
  }

  private static TensorProto longs(String name, long... v) {
    return TensorProto.newBuilder()
        .setName(name)
        .setDataType(TensorProto.DataType.INT64_VALUE)
        .addDims(v.length)
        .addAllInt64Data(java.util.Arrays.stream(v).boxed().toList())
        .build();
  }
}
