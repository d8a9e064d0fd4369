package io.edgenpu.npu.workload;

import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.onnx.ShapeInference;
import io.edgenpu.npu.onnx.proto.OnnxProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Turns an ONNX graph into NPU layers (per sample): convolutions (grouped and depthwise included),
 * Gemm and MatMul become GEMM layers; every other operator that touches activations becomes a
 * memory-only layer. Operators that only compute shapes or constants are skipped. Throws when a
 * shape needed for a GEMM cannot be inferred, naming the operator.
 */
public final class WorkloadExtractor {
  private static final Set<String> SHAPE_ONLY =
      Set.of("Shape", "Size", "Constant", "ConstantOfShape", "Range");

  /** Element-wise activations an NPU applies in the output stage of the preceding GEMM or add. */
  private static final Set<String> FUSABLE =
      Set.of("Relu", "Clip", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "PRelu");

  private WorkloadExtractor() {}

  /**
   * Per-sample layers; symbolic non-batch dimensions (if any) are taken as {@link
   * #DEFAULT_REFERENCE_DIM}.
   */
  public static List<Layer> layers(OnnxModel model) {
    return layers(model, DEFAULT_REFERENCE_DIM);
  }

  /**
   * Size given to symbolic non-batch dimensions (e.g. image height and width) when none is known.
   */
  public static final long DEFAULT_REFERENCE_DIM = 64;

  /** Per-sample layers with symbolic non-batch dimensions set to {@code referenceDim}. */
  public static List<Layer> layers(OnnxModel model, long referenceDim) {
    ShapeInference.Result shapes = ShapeInference.infer(model, 1, referenceDim);
    Map<String, Integer> consumers = new HashMap<>();
    Map<String, String> producerOp = new HashMap<>();
    for (OnnxProto.NodeProto n : model.nodes()) {
      for (String in : n.getInputList()) {
        consumers.merge(in, 1, Integer::sum);
      }
      for (String o : n.getOutputList()) {
        producerOp.put(o, n.getOpType());
      }
    }
    List<Layer> out = new ArrayList<>();
    int index = 0;
    for (OnnxProto.NodeProto n : model.nodes()) {
      String op = n.getOpType();
      String name = n.getName().isEmpty() ? op + "_" + index : n.getName();
      index++;
      if (SHAPE_ONLY.contains(op) || allInputsConstant(n, model, shapes)) {
        continue;
      }
      if (FUSABLE.contains(op)
          && n.getInputCount() > 0
          && consumers.getOrDefault(n.getInput(0), 0) == 1
          && isFusionHost(producerOp.get(n.getInput(0)))) {
        long[] sh = shapes.shape(n.getOutput(0));
        out.add(Layer.fused(name, op, sh == null ? 0 : product(sh, 0, sh.length)));
        continue;
      }
      switch (op) {
        case "Conv", "ConvInteger", "QLinearConv" -> out.add(conv(name, op, n, shapes, model));
        case "Gemm" -> out.add(gemm(name, n, shapes, model));
        case "MatMul", "MatMulInteger" -> out.add(matmul(name, op, n, shapes, model));
        default -> out.add(memory(name, op, n, shapes, model));
      }
    }
    return out;
  }

  private static boolean isFusionHost(@Nullable String op) {
    return op != null
        && (op.equals("Conv")
            || op.equals("Gemm")
            || op.equals("MatMul")
            || op.equals("Add")
            || op.equals("ConvInteger")
            || op.equals("QLinearConv"));
  }

  private static boolean allInputsConstant(
      OnnxProto.NodeProto n, OnnxModel model, ShapeInference.Result s) {
    for (String in : n.getInputList()) {
      if (!in.isEmpty() && !model.isInitializer(in) && !s.constants().containsKey(in)) {
        return false;
      }
    }
    return true;
  }

  private static long[] shape(ShapeInference.Result s, String value, OnnxProto.NodeProto n) {
    long[] sh = s.shape(value);
    if (sh == null) {
      throw new IllegalArgumentException(
          "cannot infer the shape of '"
              + value
              + "' (input of "
              + n.getOpType()
              + " node '"
              + n.getName()
              + "'); operators without shape support: "
              + s.unsupported());
    }
    return sh;
  }

  private static long product(long[] s, int from, int to) {
    long p = 1;
    for (int i = from; i < to; i++) {
      p *= s[i];
    }
    return p;
  }

  private static Layer conv(
      String name, String op, OnnxProto.NodeProto n, ShapeInference.Result s, OnnxModel m) {
    int wi = op.equals("QLinearConv") ? 3 : 1;
    long[] x = shape(s, n.getInput(0), n);
    long[] w = shape(s, n.getInput(wi), n);
    long[] y = shape(s, n.getOutput(0), n);
    long groups = OnnxModel.intAttr(n, "group", 1);
    long r = product(y, 2, y.length);
    long p = product(w, 1, w.length);
    long c = w[0] / groups;
    return Layer.gemm(
        name,
        op,
        r,
        p,
        c,
        groups,
        product(x, 1, x.length),
        product(y, 1, y.length),
        product(w, 0, w.length),
        m.isInitializer(n.getInput(wi)));
  }

  private static Layer gemm(
      String name, OnnxProto.NodeProto n, ShapeInference.Result s, OnnxModel m) {
    long[] a = shape(s, n.getInput(0), n);
    long[] b = shape(s, n.getInput(1), n);
    boolean ta = OnnxModel.intAttr(n, "transA", 0) != 0;
    boolean tb = OnnxModel.intAttr(n, "transB", 0) != 0;
    long rows = ta ? a[1] : a[0];
    long depth = ta ? a[0] : a[1];
    long cols = tb ? b[0] : b[1];
    return Layer.gemm(
        name,
        "Gemm",
        rows,
        depth,
        cols,
        1,
        rows * depth,
        rows * cols,
        depth * cols,
        m.isInitializer(n.getInput(1)));
  }

  private static Layer matmul(
      String name, String op, OnnxProto.NodeProto n, ShapeInference.Result s, OnnxModel m) {
    long[] a = shape(s, n.getInput(0), n);
    long[] b = shape(s, n.getInput(1), n);
    boolean staticB = m.isInitializer(n.getInput(1));
    long depth = a[a.length - 1];
    long cols = b.length == 1 ? 1 : b[b.length - 1];
    if (staticB && b.length <= 2) {
      // Activations x weights: all leading dimensions of A are rows.
      long rows = product(a, 0, a.length - 1);
      return Layer.gemm(
          name, op, rows, depth, cols, 1, product(a, 0, a.length), rows * cols, depth * cols, true);
    }
    // Batched product of two activations (e.g. attention): one GEMM per leading index.
    long[] y = ShapeInference.matmul(a, b);
    long rows = a.length == 1 ? 1 : a[a.length - 2];
    long groups = product(y, 0, Math.max(0, y.length - 2));
    return Layer.gemm(
        name,
        op,
        rows,
        depth,
        cols,
        Math.max(1, groups),
        product(a, 0, a.length),
        product(y, 0, y.length),
        product(b, 0, b.length),
        staticB);
  }

  private static Layer memory(
      String name, String op, OnnxProto.NodeProto n, ShapeInference.Result s, OnnxModel m) {
    long in = 0;
    for (String v : n.getInputList()) {
      if (v.isEmpty() || m.isInitializer(v) || s.constants().containsKey(v)) {
        continue;
      }
      long[] sh = s.shape(v);
      if (sh != null) {
        in += product(sh, 0, sh.length);
      }
    }
    long out = 0;
    for (String v : n.getOutputList()) {
      long[] sh = v.isEmpty() ? null : s.shape(v);
      if (sh != null) {
        out += product(sh, 0, sh.length);
      }
    }
    return Layer.memory(name, op, in, out);
  }
}
