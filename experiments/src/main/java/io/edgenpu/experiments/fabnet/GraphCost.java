package io.edgenpu.experiments.fabnet;

import io.edgenpu.npu.onnx.LayerForms;
import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.onnx.ShapeInference;
import io.edgenpu.npu.onnx.proto.OnnxProto;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The cost of one ONNX graph for one sequence (batch 1), counted node by node from the graph's
 * inferred shapes rather than from a formula:
 *
 * <ul>
 *   <li>{@code matrixMacs}: multiply-accumulates of MatMul, Gemm and Einsum (for an Einsum, the
 *       product of the sizes of all its index letters);
 *   <li>{@code fftFlops}: the DFT operator counted as a radix-2 FFT, 5 N log2 N real operations per
 *       length-N complex transform (the usual count; the graph's inputs are real, so it is an upper
 *       bound);
 *   <li>{@code elementwiseOutputs}: output elements of every other operator that computes (Add,
 *       Mul, Gelu, LayerNormalization, Softmax, ...): one operation per element, a lower bound for
 *       the transcendental ones; operators that only move or reshape data (Reshape, Transpose,
 *       Gather, Concat, Slice, ...) and operators whose inputs are all constants count nothing;
 *   <li>{@code floatConstants}: elements of FLOAT initializers, i.e. what a device must store. This
 *       equals the trained parameters only when the graph stores them as trained: a graph that
 *       multiplies butterfly factors out or carries DFT matrices stores more.
 * </ul>
 *
 * Operator counts cover every node. Unsupported shapes are listed, never guessed.
 */
public record GraphCost(
    String graph,
    int nodes,
    Map<String, Integer> opCounts,
    long floatConstants,
    long matrixMacs,
    long fftFlops,
    long elementwiseOutputs,
    Set<String> unsupported) {

  /** Operators that move, reshape or select data without arithmetic. */
  static final Set<String> DATA_MOVEMENT =
      Set.of(
          "Reshape",
          "Transpose",
          "Squeeze",
          "Unsqueeze",
          "Concat",
          "Slice",
          "Split",
          "Gather",
          "Expand",
          "Pad",
          "Identity",
          "Flatten",
          "Shape",
          "Constant",
          "ConstantOfShape",
          "Cast",
          "Range",
          "Tile",
          "Dropout");

  /** Operations: 2 per multiply-accumulate, plus the FFT and element-wise work. */
  public long totalFlops() {
    return 2 * matrixMacs + fftFlops + elementwiseOutputs;
  }

  /** "MatMul x10, Einsum x12, ..." by falling count. */
  public String opSummary(int top) {
    List<Map.Entry<String, Integer>> e = new ArrayList<>(opCounts.entrySet());
    e.sort((a, b) -> Integer.compare(b.getValue(), a.getValue()));
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < Math.min(top, e.size()); i++) {
      parts.add(e.get(i).getKey() + " x" + e.get(i).getValue());
    }
    return String.join(" ", parts);
  }

  /**
   * Counts {@code model} as ONNX Runtime runs it: two-form layers ({@link LayerForms}) in the form
   * their flags select.
   */
  public static GraphCost of(String graph, OnnxProto.ModelProto model) throws IOException {
    return of(graph, OnnxModel.parse(graph, LayerForms.inline(model).toByteArray()));
  }

  /** Counts {@code model} at batch 1 (symbolic non-batch dimensions must not occur). */
  public static GraphCost of(String graph, OnnxModel model) {
    ShapeInference.Result s = ShapeInference.infer(model, 1);
    Map<String, Integer> ops = new TreeMap<>();
    long macs = 0;
    long fft = 0;
    long elementwise = 0;
    for (OnnxProto.NodeProto n : model.nodes()) {
      String op = n.getOpType();
      ops.merge(op, 1, Integer::sum);
      if (DATA_MOVEMENT.contains(op) || allConstant(n, model, s)) {
        continue;
      }
      switch (op) {
        case "MatMul", "Gemm" -> {
          macs += matmulMacs(n, s);
          if (op.equals("Gemm") && n.getInputCount() > 2) {
            elementwise += elements(s.shape(n.getOutput(0)));
          }
        }
        case "Einsum" -> macs += einsumMacs(n, s);
        case "DFT" -> fft += dftFlops(n, s);
        default -> elementwise += elements(s.shape(n.getOutput(0)));
      }
    }
    long constants = 0;
    for (OnnxProto.TensorProto t : model.initializers().values()) {
      if (t.getDataType() == OnnxProto.TensorProto.DataType.FLOAT_VALUE) {
        constants += elements(OnnxModel.dims(t));
      }
    }
    return new GraphCost(
        graph, model.nodes().size(), ops, constants, macs, fft, elementwise, s.unsupported());
  }

  private static boolean allConstant(OnnxProto.NodeProto n, OnnxModel m, ShapeInference.Result s) {
    for (String in : n.getInputList()) {
      if (!in.isEmpty() && !m.isInitializer(in) && !s.constants().containsKey(in)) {
        return false;
      }
    }
    return true;
  }

  static long elements(long @Nullable [] shape) {
    if (shape == null) {
      return 0;
    }
    long p = 1;
    for (long d : shape) {
      p *= d;
    }
    return p;
  }

  private static long[] known(ShapeInference.Result s, String value, OnnxProto.NodeProto n) {
    long[] sh = s.shape(value);
    if (sh == null) {
      throw new IllegalArgumentException(
          "no shape for '" + value + "' (" + n.getOpType() + "); unsupported: " + s.unsupported());
    }
    return sh;
  }

  /** Output elements times the contracted depth. */
  private static long matmulMacs(OnnxProto.NodeProto n, ShapeInference.Result s) {
    long[] a = known(s, n.getInput(0), n);
    long[] y = known(s, n.getOutput(0), n);
    boolean transA = n.getOpType().equals("Gemm") && OnnxModel.intAttr(n, "transA", 0) != 0;
    long depth = transA ? a[0] : a[a.length - 1];
    return elements(y) * depth;
  }

  private static long einsumMacs(OnnxProto.NodeProto n, ShapeInference.Result s) {
    List<long[]> ins = new ArrayList<>();
    for (String in : n.getInputList()) {
      ins.add(known(s, in, n));
    }
    String eq = OnnxModel.stringAttr(n, "equation", "");
    List<long @Nullable []> nullable = new ArrayList<>(ins);
    Map<Character, Long> sizes = ShapeInference.einsumSizes(eq, nullable);
    if (sizes == null) {
      throw new IllegalArgumentException("cannot count Einsum '" + eq + "'");
    }
    long p = 1;
    for (long d : sizes.values()) {
      p *= d;
    }
    return p;
  }

  /** 5 N log2 N per transform; the input's last axis holds (real[, imaginary]). */
  private static long dftFlops(OnnxProto.NodeProto n, ShapeInference.Result s) {
    long[] x = known(s, n.getInput(0), n);
    long[] axisIn = n.getInputCount() > 2 ? s.constants().get(n.getInput(2)) : null;
    long axis = axisIn != null ? axisIn[0] : OnnxModel.intAttr(n, "axis", 1);
    int ax = (int) (axis < 0 ? axis + x.length : axis);
    long length = x[ax];
    long transforms = elements(x) / x[x.length - 1] / length;
    double log2 = Math.log((double) length) / Math.log(2);
    return Math.round(transforms * 5.0 * length * log2);
  }
}
