package io.edgenpu.npu.onnx;

import io.edgenpu.npu.onnx.proto.OnnxProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Static shape inference for the operators that inference graphs of this product use, with the
 * batch dimension (any symbolic dimension) fixed to a given size. Small integer tensors (shapes,
 * indices, axes) are folded as constants, so the {@code Shape -> Gather -> Concat -> Reshape}
 * chains that exporters emit for dynamic batch sizes resolve. Where an operator is not covered, the
 * graph's own {@code value_info} is used if present; otherwise the operator is listed in {@link
 * Result#unsupported()}.
 */
public final class ShapeInference {
  /**
   * Shapes of every value that could be inferred, folded integer constants, and uncovered
   * operators.
   */
  public record Result(
      Map<String, long[]> shapes, Map<String, long[]> constants, Set<String> unsupported) {
    public long @Nullable [] shape(String value) {
      return shapes.get(value);
    }
  }

  private final OnnxModel model;
  private final long batch;
  private final long otherDims;
  private final Map<String, long[]> shapes = new HashMap<>();
  private final Map<String, long[]> consts = new HashMap<>();

  /** Small float constants (Resize and Upsample scales), from initialisers and Constant nodes. */
  private final Map<String, float[]> floatConsts = new HashMap<>();

  private final Map<String, long[]> declared = new HashMap<>();
  private final Set<String> unsupported = new LinkedHashSet<>();

  private ShapeInference(OnnxModel model, long batch, long otherDims) {
    this.model = model;
    this.batch = batch;
    this.otherDims = otherDims;
  }

  /**
   * Infers shapes with the first (batch) dimension set to {@code batch} where symbolic, other
   * symbolic ones too.
   */
  public static Result infer(OnnxModel model, long batch) {
    return new ShapeInference(model, batch, batch).run();
  }

  /**
   * Infers shapes with a symbolic first dimension set to {@code batch} and every other symbolic
   * dimension (e.g. an image's height and width) set to {@code otherDims}.
   */
  public static Result infer(OnnxModel model, long batch, long otherDims) {
    return new ShapeInference(model, batch, otherDims).run();
  }

  private Result run() {
    for (OnnxProto.ValueInfoProto v : model.graph().getValueInfoList()) {
      long[] s = OnnxModel.declaredShape(v);
      if (s != null) {
        declared.put(v.getName(), s);
      }
    }
    for (OnnxProto.ValueInfoProto v : model.graph().getOutputList()) {
      long[] s = OnnxModel.declaredShape(v);
      if (s != null) {
        declared.put(v.getName(), s);
      }
    }
    for (OnnxProto.TensorProto t : model.initializers().values()) {
      shapes.put(t.getName(), OnnxModel.dims(t));
      long[] v = OnnxModel.longs(t);
      if (v != null && v.length <= 64) {
        consts.put(t.getName(), v);
      }
      rememberFloats(t.getName(), t);
    }
    for (OnnxProto.ValueInfoProto v : model.inputs()) {
      long[] s = OnnxModel.declaredShape(v);
      if (s == null) {
        throw new IllegalArgumentException("graph input " + v.getName() + " has no declared shape");
      }
      shapes.put(v.getName(), concrete(s));
    }
    for (OnnxProto.NodeProto node : model.nodes()) {
      try {
        if (!apply(node)) {
          fallback(node);
        }
      } catch (RuntimeException e) {
        fallback(node);
      }
    }
    return new Result(shapes, consts, unsupported);
  }

  private long[] concrete(long[] s) {
    long[] c = s.clone();
    for (int i = 0; i < c.length; i++) {
      if (c[i] < 0) {
        c[i] = i == 0 ? batch : otherDims;
      }
    }
    return c;
  }

  private void fallback(OnnxProto.NodeProto node) {
    boolean all = true;
    for (String out : node.getOutputList()) {
      long[] d = declared.get(out);
      if (d != null) {
        shapes.put(out, concrete(d));
      } else if (!out.isEmpty()) {
        all = false;
      }
    }
    if (!all) {
      unsupported.add(node.getOpType());
    }
  }

  private long @Nullable [] in(OnnxProto.NodeProto n, int i) {
    if (i >= n.getInputCount() || n.getInput(i).isEmpty()) {
      return null;
    }
    return shapes.get(n.getInput(i));
  }

  private long @Nullable [] constIn(OnnxProto.NodeProto n, int i) {
    if (i >= n.getInputCount() || n.getInput(i).isEmpty()) {
      return null;
    }
    return consts.get(n.getInput(i));
  }

  private void out(OnnxProto.NodeProto n, long[] shape) {
    shapes.put(n.getOutput(0), shape);
  }

  private void outConst(OnnxProto.NodeProto n, long[] shape, long @Nullable [] value) {
    shapes.put(n.getOutput(0), shape);
    if (value != null) {
      consts.put(n.getOutput(0), value);
    }
  }

  /** Applies one node; returns false if its output shapes could not be determined. */
  private boolean apply(OnnxProto.NodeProto n) {
    String op = n.getOpType();
    long[] x = in(n, 0);
    switch (op) {
      case "Constant" -> {
        OnnxProto.AttributeProto a = OnnxModel.attribute(n, "value");
        if (a != null && a.hasT()) {
          rememberFloats(n.getOutput(0), a.getT());
          outConst(n, OnnxModel.dims(a.getT()), OnnxModel.longs(a.getT()));
          return true;
        }
        long[] v = OnnxModel.intsAttr(n, "value_ints");
        if (v != null) {
          outConst(n, new long[] {v.length}, v);
          return true;
        }
        OnnxProto.AttributeProto one = OnnxModel.attribute(n, "value_int");
        if (one != null) {
          outConst(n, new long[0], new long[] {one.getI()});
          return true;
        }
        OnnxProto.AttributeProto f = OnnxModel.attribute(n, "value_float");
        if (f != null) {
          out(n, new long[0]);
          return true;
        }
        return false;
      }
      case "Shape" -> {
        if (x == null) {
          return false;
        }
        long start = OnnxModel.intAttr(n, "start", 0);
        long end = OnnxModel.intAttr(n, "end", x.length);
        int s = (int) (start < 0 ? start + x.length : start);
        int e = (int) Math.min(x.length, end < 0 ? end + x.length : end);
        long[] v = Arrays.copyOfRange(x, Math.max(0, s), Math.max(s, e));
        outConst(n, new long[] {v.length}, v);
        return true;
      }
      case "Size" -> {
        if (x == null) {
          return false;
        }
        outConst(n, new long[0], new long[] {product(x)});
        return true;
      }
      case "Relu",
          "Clip",
          "Sigmoid",
          "Tanh",
          "Erf",
          "Sqrt",
          "Exp",
          "Log",
          "Neg",
          "Abs",
          "LeakyRelu",
          "HardSigmoid",
          "HardSwish",
          "Softplus",
          "Identity",
          "Dropout",
          "Softmax",
          "LogSoftmax",
          "Gelu",
          "Reciprocal",
          "Floor",
          "Ceil",
          "Round",
          "Not",
          "Cast",
          "LayerNormalization",
          "BatchNormalization",
          "InstanceNormalization",
          "PRelu",
          "Elu",
          "Selu",
          "Sign",
          "Cos",
          "Sin",
          "QuantizeLinear",
          "DequantizeLinear",
          "IsNaN",
          "CumSum" -> {
        if (x == null) {
          return false;
        }
        long[] c = constIn(n, 0);
        outConst(n, x, op.equals("Cast") || op.equals("Identity") ? c : null);
        if (op.equals("Dropout") && n.getOutputCount() > 1 && !n.getOutput(1).isEmpty()) {
          shapes.put(n.getOutput(1), x);
        }
        return true;
      }
      case "Add",
          "Sub",
          "Mul",
          "Div",
          "Pow",
          "Max",
          "Min",
          "Equal",
          "Less",
          "Greater",
          "LessOrEqual",
          "GreaterOrEqual",
          "And",
          "Or",
          "Xor",
          "Mod",
          "Sum",
          "Mean" -> {
        long[] shape = x;
        for (int i = 1; i < n.getInputCount(); i++) {
          long[] y = in(n, i);
          if (shape == null || y == null) {
            return false;
          }
          shape = broadcast(shape, y);
        }
        if (shape == null) {
          return false;
        }
        outConst(n, shape, foldBinary(op, n));
        return true;
      }
      case "Where" -> {
        long[] c = in(n, 0);
        long[] a = in(n, 1);
        long[] b = in(n, 2);
        if (c == null || a == null || b == null) {
          return false;
        }
        outConst(n, broadcast(broadcast(c, a), b), foldWhere(n));
        return true;
      }
      case "Conv", "ConvInteger", "QLinearConv" -> {
        int wi = op.equals("QLinearConv") ? 3 : 1;
        long[] w = in(n, wi);
        if (x == null || w == null) {
          return false;
        }
        out(n, convOutput(n, x, w[0], Arrays.copyOfRange(w, 2, w.length)));
        return true;
      }
      case "ConvTranspose" -> {
        long[] w = in(n, 1);
        if (x == null || w == null) {
          return false;
        }
        long group = OnnxModel.intAttr(n, "group", 1);
        int sp = x.length - 2;
        long[] strides = orOnes(OnnxModel.intsAttr(n, "strides"), sp);
        long[] pads = orZeros(OnnxModel.intsAttr(n, "pads"), 2 * sp);
        long[] dil = orOnes(OnnxModel.intsAttr(n, "dilations"), sp);
        long[] outPad = orZeros(OnnxModel.intsAttr(n, "output_padding"), sp);
        long[] o = new long[x.length];
        o[0] = x[0];
        o[1] = w[1] * group;
        for (int i = 0; i < sp; i++) {
          o[2 + i] =
              strides[i] * (x[2 + i] - 1)
                  + outPad[i]
                  + (w[2 + i] - 1) * dil[i]
                  + 1
                  - pads[i]
                  - pads[sp + i];
        }
        out(n, o);
        return true;
      }
      case "MaxPool", "AveragePool", "LpPool" -> {
        if (x == null) {
          return false;
        }
        long[] k = OnnxModel.intsAttr(n, "kernel_shape");
        if (k == null) {
          return false;
        }
        out(n, convOutput(n, x, x[1], k));
        return true;
      }
      case "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool" -> {
        if (x == null) {
          return false;
        }
        long[] o = x.clone();
        for (int i = 2; i < o.length; i++) {
          o[i] = 1;
        }
        out(n, o);
        return true;
      }
      case "Gemm" -> {
        long[] a = x;
        long[] b = in(n, 1);
        if (a == null || b == null) {
          return false;
        }
        boolean ta = OnnxModel.intAttr(n, "transA", 0) != 0;
        boolean tb = OnnxModel.intAttr(n, "transB", 0) != 0;
        out(n, new long[] {ta ? a[1] : a[0], tb ? b[0] : b[1]});
        return true;
      }
      case "MatMul", "MatMulInteger" -> {
        long[] b = in(n, 1);
        if (x == null || b == null) {
          return false;
        }
        out(n, matmul(x, b));
        return true;
      }
      case "Flatten" -> {
        if (x == null) {
          return false;
        }
        long axis = OnnxModel.intAttr(n, "axis", 1);
        int ax = (int) (axis < 0 ? axis + x.length : axis);
        out(
            n,
            new long[] {
              product(Arrays.copyOfRange(x, 0, ax)), product(Arrays.copyOfRange(x, ax, x.length))
            });
        return true;
      }
      case "Reshape" -> {
        long[] target = constIn(n, 1);
        if (x == null || target == null) {
          return false;
        }
        long[] o = target.clone();
        long known = 1;
        int infer = -1;
        for (int i = 0; i < o.length; i++) {
          if (o[i] == 0 && OnnxModel.intAttr(n, "allowzero", 0) == 0) {
            o[i] = x[i];
          }
          if (o[i] == -1) {
            infer = i;
          } else {
            known *= o[i];
          }
        }
        if (infer >= 0) {
          o[infer] = known == 0 ? 0 : product(x) / known;
        }
        outConst(n, o, constIn(n, 0));
        return true;
      }
      case "Transpose" -> {
        if (x == null) {
          return false;
        }
        long[] perm = OnnxModel.intsAttr(n, "perm");
        long[] o = new long[x.length];
        for (int i = 0; i < o.length; i++) {
          o[i] = perm == null ? x[x.length - 1 - i] : x[(int) perm[i]];
        }
        out(n, o);
        return true;
      }
      case "Concat" -> {
        long axis = OnnxModel.intAttr(n, "axis", 0);
        long[] first = x;
        if (first == null) {
          return false;
        }
        int ax = (int) (axis < 0 ? axis + first.length : axis);
        long[] o = first.clone();
        o[ax] = 0;
        List<Long> values = new ArrayList<>();
        boolean allConst = true;
        for (int i = 0; i < n.getInputCount(); i++) {
          long[] s = in(n, i);
          if (s == null) {
            return false;
          }
          o[ax] += s[ax];
          long[] c = constIn(n, i);
          if (c == null) {
            allConst = false;
          } else {
            for (long v : c) {
              values.add(v);
            }
          }
        }
        outConst(
            n,
            o,
            allConst && o.length == 1
                ? values.stream().mapToLong(Long::longValue).toArray()
                : null);
        return true;
      }
      case "DepthToSpace", "SpaceToDepth" -> {
        if (x == null) {
          return false;
        }
        long bs = OnnxModel.intAttr(n, "blocksize", 1);
        boolean d2s = op.equals("DepthToSpace");
        out(
            n,
            d2s
                ? new long[] {x[0], x[1] / (bs * bs), x[2] * bs, x[3] * bs}
                : new long[] {x[0], x[1] * bs * bs, x[2] / bs, x[3] / bs});
        return true;
      }
      case "ReduceMean",
          "ReduceSum",
          "ReduceMax",
          "ReduceMin",
          "ReduceProd",
          "ReduceL2",
          "ArgMax",
          "ArgMin" -> {
        if (x == null) {
          return false;
        }
        long[] axes = OnnxModel.intsAttr(n, "axes");
        if (axes == null && op.startsWith("Arg")) {
          axes = new long[] {OnnxModel.intAttr(n, "axis", 0)};
        }
        if (axes == null) {
          axes = constIn(n, 1);
        }
        boolean keep = OnnxModel.intAttr(n, "keepdims", 1) != 0;
        out(n, reduce(x, axes, keep));
        return true;
      }
      case "Squeeze", "Unsqueeze" -> {
        if (x == null) {
          return false;
        }
        long[] axes = OnnxModel.intsAttr(n, "axes");
        if (axes == null) {
          axes = constIn(n, 1);
        }
        if (axes == null && op.equals("Unsqueeze")) {
          return false; // axes from a tensor that is not a constant
        }
        long[] o =
            op.equals("Squeeze") ? squeeze(x, axes) : unsqueeze(x, Objects.requireNonNull(axes));
        outConst(n, o, constIn(n, 0));
        return true;
      }
      case "Gather" -> {
        long[] idx = in(n, 1);
        if (x == null || idx == null) {
          return false;
        }
        long axis = OnnxModel.intAttr(n, "axis", 0);
        int ax = (int) (axis < 0 ? axis + x.length : axis);
        long[] o = new long[x.length - 1 + idx.length];
        int k = 0;
        for (int i = 0; i < ax; i++) {
          o[k++] = x[i];
        }
        for (long d : idx) {
          o[k++] = d;
        }
        for (int i = ax + 1; i < x.length; i++) {
          o[k++] = x[i];
        }
        long[] data = constIn(n, 0);
        long[] indices = constIn(n, 1);
        long @Nullable [] value = null;
        if (data != null && indices != null && x.length == 1) {
          value = new long[indices.length];
          for (int i = 0; i < indices.length; i++) {
            long j = indices[i] < 0 ? indices[i] + x[0] : indices[i];
            value[i] = data[(int) j];
          }
        }
        outConst(n, o, value);
        return true;
      }
      case "Slice" -> {
        if (x == null) {
          return false;
        }
        long[] starts = OnnxModel.intsAttr(n, "starts");
        long[] ends = OnnxModel.intsAttr(n, "ends");
        long[] axes = OnnxModel.intsAttr(n, "axes");
        long[] steps = null;
        if (starts == null) {
          starts = constIn(n, 1);
          ends = constIn(n, 2);
          axes = constIn(n, 3);
          steps = constIn(n, 4);
        }
        if (starts == null || ends == null) {
          return false;
        }
        long[] o = x.clone();
        long[] data = constIn(n, 0);
        long @Nullable [] value = null;
        for (int i = 0; i < starts.length; i++) {
          int ax = (int) (axes == null ? i : (axes[i] < 0 ? axes[i] + x.length : axes[i]));
          long step = steps == null ? 1 : steps[i];
          long dim = x[ax];
          long s = clampIndex(starts[i], dim, step > 0);
          long e = clampIndex(ends[i], dim, step > 0);
          long len =
              step > 0
                  ? Math.max(0, (e - s + step - 1) / step)
                  : Math.max(0, (s - e - step - 1) / -step);
          o[ax] = len;
          if (data != null && x.length == 1 && step == 1) {
            value = Arrays.copyOfRange(data, (int) s, (int) Math.max(s, e));
          }
        }
        outConst(n, o, value);
        return true;
      }
      case "Split" -> {
        if (x == null) {
          return false;
        }
        long axis = OnnxModel.intAttr(n, "axis", 0);
        int ax = (int) (axis < 0 ? axis + x.length : axis);
        long[] split = OnnxModel.intsAttr(n, "split");
        if (split == null) {
          split = constIn(n, 1);
        }
        int outs = n.getOutputCount();
        for (int i = 0; i < outs; i++) {
          long[] o = x.clone();
          o[ax] = split != null ? split[i] : x[ax] / outs;
          shapes.put(n.getOutput(i), o);
        }
        return true;
      }
      case "Expand" -> {
        long[] target = constIn(n, 1);
        if (x == null || target == null) {
          return false;
        }
        out(n, broadcast(x, target));
        return true;
      }
      case "Tile" -> {
        long[] reps = constIn(n, 1);
        if (x == null || reps == null) {
          return false;
        }
        long[] o = x.clone();
        for (int i = 0; i < o.length; i++) {
          o[i] *= reps[i];
        }
        out(n, o);
        return true;
      }
      case "Pad" -> {
        long[] pads = OnnxModel.intsAttr(n, "pads");
        if (pads == null) {
          pads = constIn(n, 1);
        }
        if (x == null || pads == null) {
          return false;
        }
        long[] o = x.clone();
        for (int i = 0; i < o.length; i++) {
          o[i] += pads[i] + pads[i + o.length];
        }
        out(n, o);
        return true;
      }
      case "Einsum" -> {
        long[] o = einsum(OnnxModel.stringAttr(n, "equation", ""), n);
        if (o == null) {
          return false;
        }
        out(n, o);
        return true;
      }
      case "DFT" -> {
        if (x == null) {
          return false;
        }
        long[] o = x.clone();
        o[o.length - 1] = 2;
        long onesided = OnnxModel.intAttr(n, "onesided", 0);
        long[] axisIn = constIn(n, 2);
        long axis = axisIn != null ? axisIn[0] : OnnxModel.intAttr(n, "axis", 1);
        if (onesided != 0) {
          int ax = (int) (axis < 0 ? axis + o.length : axis);
          o[ax] = o[ax] / 2 + 1;
        }
        out(n, o);
        return true;
      }
      case "ConstantOfShape" -> {
        long[] s = constIn(n, 0);
        if (s == null) {
          return false;
        }
        // A small integer fill is shape arithmetic (expand-to-batch masks): keep its value.
        OnnxProto.AttributeProto a = OnnxModel.attribute(n, "value");
        long[] fill = a != null && a.hasT() ? OnnxModel.longs(a.getT()) : new long[] {0};
        long[] value = null;
        if (fill != null && fill.length == 1 && s.length == 1 && s[0] <= 16) {
          value = new long[(int) s[0]];
          Arrays.fill(value, fill[0]);
        }
        outConst(n, s.clone(), value);
        return true;
      }
      case "Range" -> {
        long[] start = constIn(n, 0);
        long[] limit = constIn(n, 1);
        long[] delta = constIn(n, 2);
        if (start == null || limit == null || delta == null) {
          return false;
        }
        out(n, new long[] {Math.max(0, (limit[0] - start[0] + delta[0] - 1) / delta[0])});
        return true;
      }
      case "Resize", "Upsample" -> {
        if (x == null) {
          return false;
        }
        long[] sizes = op.equals("Resize") ? constIn(n, 3) : null;
        if (sizes != null && sizes.length == x.length) {
          out(n, sizes.clone());
          return true;
        }
        // By scales: Resize's third input (opset 11+) or Upsample's second; each output dimension
        // is
        // floor(input dimension x scale).
        int scalesInput = op.equals("Resize") ? 2 : 1;
        float[] scales =
            scalesInput < n.getInputCount() ? floatConsts.get(n.getInput(scalesInput)) : null;
        if (scales == null || scales.length != x.length) {
          return false;
        }
        long[] o = new long[x.length];
        for (int d = 0; d < x.length; d++) {
          o[d] = (long) Math.floor(x[d] * (double) scales[d]);
        }
        out(n, o);
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  private void rememberFloats(String name, OnnxProto.TensorProto t) {
    if (t.getDataType() == OnnxProto.TensorProto.DataType.FLOAT_VALUE
        && OnnxModel.dims(t).length == 1
        && OnnxModel.dims(t)[0] <= 8) {
      floatConsts.put(name, OnnxModel.floats(t));
    }
  }

  private static long clampIndex(long i, long dim, boolean forward) {
    if (i < 0) {
      i += dim;
    }
    if (forward) {
      return Math.max(0, Math.min(dim, i));
    }
    return Math.max(-1, Math.min(dim - 1, i));
  }

  private long @Nullable [] foldBinary(String op, OnnxProto.NodeProto n) {
    if (n.getInputCount() != 2) {
      return null;
    }
    long[] a = constIn(n, 0);
    long[] b = constIn(n, 1);
    if (a == null || b == null || (a.length != b.length && a.length != 1 && b.length != 1)) {
      return null;
    }
    int len = Math.max(a.length, b.length);
    long[] r = new long[len];
    for (int i = 0; i < len; i++) {
      long u = a[a.length == 1 ? 0 : i];
      long v = b[b.length == 1 ? 0 : i];
      switch (op) {
        case "Add" -> r[i] = u + v;
        case "Sub" -> r[i] = u - v;
        case "Mul" -> r[i] = u * v;
        case "Div" -> {
          if (v == 0) {
            return null;
          }
          r[i] = u / v;
        }
        case "Equal" -> r[i] = u == v ? 1 : 0;
        case "Less" -> r[i] = u < v ? 1 : 0;
        case "Greater" -> r[i] = u > v ? 1 : 0;
        default -> {
          return null;
        }
      }
    }
    return r;
  }

  /** Where(condition, a, b) over known 1-D constants (shape arithmetic); null when not foldable. */
  private long @Nullable [] foldWhere(OnnxProto.NodeProto n) {
    long[] c = constIn(n, 0);
    long[] a = constIn(n, 1);
    long[] b = constIn(n, 2);
    if (c == null || a == null || b == null) {
      return null;
    }
    int len = Math.max(c.length, Math.max(a.length, b.length));
    for (long[] v : new long[][] {c, a, b}) {
      if (v.length != len && v.length != 1) {
        return null;
      }
    }
    long[] r = new long[len];
    for (int i = 0; i < len; i++) {
      boolean take = c[c.length == 1 ? 0 : i] != 0;
      r[i] = take ? a[a.length == 1 ? 0 : i] : b[b.length == 1 ? 0 : i];
    }
    return r;
  }

  private long[] convOutput(OnnxProto.NodeProto n, long[] x, long channelsOut, long[] kernel) {
    int sp = x.length - 2;
    long[] strides = orOnes(OnnxModel.intsAttr(n, "strides"), sp);
    long[] dil = orOnes(OnnxModel.intsAttr(n, "dilations"), sp);
    long[] pads = orZeros(OnnxModel.intsAttr(n, "pads"), 2 * sp);
    String autoPad = OnnxModel.stringAttr(n, "auto_pad", "NOTSET");
    boolean ceil = OnnxModel.intAttr(n, "ceil_mode", 0) != 0;
    long[] o = new long[x.length];
    o[0] = x[0];
    o[1] = channelsOut;
    for (int i = 0; i < sp; i++) {
      long in = x[2 + i];
      long eff = (kernel[i] - 1) * dil[i] + 1;
      if (autoPad.startsWith("SAME")) {
        o[2 + i] = (in + strides[i] - 1) / strides[i];
      } else if (autoPad.equals("VALID")) {
        o[2 + i] = (in - eff) / strides[i] + 1;
      } else {
        long num = in + pads[i] + pads[sp + i] - eff;
        o[2 + i] = (ceil ? (num + strides[i] - 1) / strides[i] : num / strides[i]) + 1;
      }
    }
    return o;
  }

  private static long[] orOnes(long @Nullable [] v, int n) {
    if (v != null) {
      return v;
    }
    long[] r = new long[n];
    Arrays.fill(r, 1);
    return r;
  }

  private static long[] orZeros(long @Nullable [] v, int n) {
    return v != null ? v : new long[n];
  }

  static long product(long[] s) {
    long p = 1;
    for (long d : s) {
      p *= d;
    }
    return p;
  }

  static long[] broadcast(long[] a, long[] b) {
    int n = Math.max(a.length, b.length);
    long[] o = new long[n];
    for (int i = 0; i < n; i++) {
      long da = i < n - a.length ? 1 : a[i - (n - a.length)];
      long db = i < n - b.length ? 1 : b[i - (n - b.length)];
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException(
            "cannot broadcast " + Arrays.toString(a) + " with " + Arrays.toString(b));
      }
      o[i] = da == 1 ? db : da;
    }
    return o;
  }

  /** Output shape of a numpy-style (batched, broadcasting) matrix product. */
  /**
   * Sizes of every index letter of an explicit Einsum equation ({@code "ij,jk->ik"}, no ellipsis),
   * taken from the inputs' shapes; null when an input shape is unknown, the equation has no
   * explicit output or an ellipsis, or a letter's sizes disagree.
   */
  public static @Nullable Map<Character, Long> einsumSizes(
      String equation, List<long @Nullable []> inputs) {
    String eq = equation.replace(" ", "");
    int arrow = eq.indexOf("->");
    if (arrow < 0 || eq.contains(".")) {
      return null;
    }
    String[] terms = eq.substring(0, arrow).split(",", -1);
    if (terms.length != inputs.size()) {
      return null;
    }
    Map<Character, Long> size = new LinkedHashMap<>();
    for (int t = 0; t < terms.length; t++) {
      long[] shape = inputs.get(t);
      if (shape == null || shape.length != terms[t].length()) {
        return null;
      }
      for (int i = 0; i < shape.length; i++) {
        Long old = size.put(terms[t].charAt(i), shape[i]);
        if (old != null && old != shape[i] && old != 1 && shape[i] != 1) {
          return null;
        }
        if (old != null && shape[i] == 1) {
          size.put(terms[t].charAt(i), old);
        }
      }
    }
    return size;
  }

  private long @Nullable [] einsum(String equation, OnnxProto.NodeProto n) {
    List<long @Nullable []> ins = new ArrayList<>();
    for (int i = 0; i < n.getInputCount(); i++) {
      ins.add(in(n, i));
    }
    Map<Character, Long> size = einsumSizes(equation, ins);
    if (size == null) {
      return null;
    }
    String rhs = equation.replace(" ", "").substring(equation.replace(" ", "").indexOf("->") + 2);
    long[] o = new long[rhs.length()];
    for (int i = 0; i < o.length; i++) {
      Long d = size.get(rhs.charAt(i));
      if (d == null) {
        return null;
      }
      o[i] = d;
    }
    return o;
  }

  public static long[] matmul(long[] a, long[] b) {
    long[] a2 = a.length == 1 ? new long[] {1, a[0]} : a;
    long[] b2 = b.length == 1 ? new long[] {b[0], 1} : b;
    long[] batchA = Arrays.copyOfRange(a2, 0, a2.length - 2);
    long[] batchB = Arrays.copyOfRange(b2, 0, b2.length - 2);
    long[] batch = broadcast(batchA, batchB);
    List<Long> o = new ArrayList<>();
    for (long d : batch) {
      o.add(d);
    }
    if (a.length > 1) {
      o.add(a2[a2.length - 2]);
    }
    if (b.length > 1) {
      o.add(b2[b2.length - 1]);
    }
    return o.stream().mapToLong(Long::longValue).toArray();
  }

  private static long[] reduce(long[] x, long @Nullable [] axes, boolean keep) {
    boolean[] r = new boolean[x.length];
    if (axes == null || axes.length == 0) {
      Arrays.fill(r, true);
    } else {
      for (long a : axes) {
        r[(int) (a < 0 ? a + x.length : a)] = true;
      }
    }
    List<Long> o = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      if (!r[i]) {
        o.add(x[i]);
      } else if (keep) {
        o.add(1L);
      }
    }
    return o.stream().mapToLong(Long::longValue).toArray();
  }

  private static long[] squeeze(long[] x, long @Nullable [] axes) {
    List<Long> o = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      boolean drop = false;
      if (axes == null) {
        drop = x[i] == 1;
      } else {
        for (long a : axes) {
          if ((a < 0 ? a + x.length : a) == i) {
            drop = true;
          }
        }
      }
      if (!drop) {
        o.add(x[i]);
      }
    }
    return o.stream().mapToLong(Long::longValue).toArray();
  }

  private static long[] unsqueeze(long[] x, long[] axes) {
    int n = x.length + axes.length;
    boolean[] ins = new boolean[n];
    for (long a : axes) {
      ins[(int) (a < 0 ? a + n : a)] = true;
    }
    long[] o = new long[n];
    int k = 0;
    for (int i = 0; i < n; i++) {
      o[i] = ins[i] ? 1 : x[k++];
    }
    return o;
  }
}
