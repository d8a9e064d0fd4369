package io.edgenpu.npu.quant;

import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.onnx.proto.OnnxProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A super-resolution network as a list of operations the NPU's integer arithmetic covers: Conv (any
 * square kernel, with a following Relu fused), Add, Concat (channels), nearest upsampling by an
 * integer factor (ONNX Resize), DepthToSpace (CRD) and Clip, one image [channels][height][width]
 * (luma or RGB). Read from an ONNX graph of that form; {@link #runFloat} is the FP32 reference and
 * records every tensor's range for calibration. Immutable after construction.
 *
 * <p>Pixel range: images are in [0, 1] here. A model whose file declares {@code metadata_props}
 * {@code pixel_max = 255} (the converted UpscalerJS networks and edsr-x2 take and return 0..255) is
 * rescaled on reading by dividing every bias by 255: a network of convolutions, ReLU, adds,
 * concatenations and pixel moves is positively homogeneous in (input, biases), so this is the same
 * function on [0, 1] images, and its integer codes are unchanged (the calibrated ranges scale with
 * it).
 */
public final class SrGraph {
  /** One operation; {@code output} names its result, {@code inputs} the tensors it reads. */
  public sealed interface Op permits ConvOp, AddOp, ConcatOp, UpsampleOp, DepthToSpaceOp, ClipOp {
    String output();
  }

  /** A convolution (square kernel, symmetric padding), optionally followed by ReLU. */
  public record ConvOp(
      String name,
      String input,
      String output,
      int inChannels,
      int outChannels,
      int kernel,
      int stride,
      int padding,
      boolean relu,
      float[] weights,
      float[] bias)
      implements Op {
    /** The same convolution with other weights and bias (same shapes). */
    public ConvOp with(float[] newWeights, float[] newBias) {
      return new ConvOp(
          name,
          input,
          output,
          inChannels,
          outChannels,
          kernel,
          stride,
          padding,
          relu,
          newWeights,
          newBias);
    }
  }

  public record AddOp(String a, String b, String output) implements Op {}

  /** Channel concatenation of {@code inputs}, in order. */
  public record ConcatOp(List<String> inputs, String output) implements Op {
    public ConcatOp {
      inputs = List.copyOf(inputs);
    }
  }

  /** Nearest-neighbour upsampling by {@code factor} in both directions (pixel replication). */
  public record UpsampleOp(String input, String output, int factor) implements Op {}

  public record DepthToSpaceOp(String input, String output, int block) implements Op {}

  public record ClipOp(String input, String output, float min, float max) implements Op {}

  private final String input;
  private final String output;
  private final List<Op> ops;

  private SrGraph(String input, String output, List<Op> ops) {
    this.input = input;
    this.output = output;
    this.ops = List.copyOf(ops);
  }

  /** A graph from its operations (in execution order), for tools and tests. */
  static SrGraph of(String input, String output, List<Op> ops) {
    return new SrGraph(input, output, ops);
  }

  public List<Op> ops() {
    return ops;
  }

  public String input() {
    return input;
  }

  /**
   * The same network in floating point with every convolution's weights rounded to the NPU's 8-bit
   * per-channel codes and back: the quality any A?W8 configuration can at best reach (the weights
   * are 8-bit in both of the NPU's modes), so weight and activation quantisation errors can be told
   * apart.
   */
  public SrGraph withInt8Weights() {
    List<Op> rounded = new ArrayList<>();
    for (Op op : ops) {
      if (op instanceof ConvOp c) {
        WeightQuant q = WeightQuant.perChannel(c.weights(), c.outChannels());
        int per = c.weights().length / c.outChannels();
        float[] w = new float[c.weights().length];
        for (int i = 0; i < w.length; i++) {
          w[i] = (float) q.dequantize(i / per, i);
        }
        rounded.add(c.with(w, c.bias()));
      } else {
        rounded.add(op);
      }
    }
    return new SrGraph(input, output, rounded);
  }

  /** The convolutions, in graph order: the layers whose precision is chosen. */
  public List<ConvOp> convs() {
    return ops.stream().filter(ConvOp.class::isInstance).map(ConvOp.class::cast).toList();
  }

  /** Metadata key of a model's pixel range (absent: images in [0, 1]). */
  public static final String PIXEL_MAX = "pixel_max";

  /** Image channels the network reads (1: luma, 3: RGB): the first convolution of the input. */
  public int inputChannels() {
    return convs().stream()
        .filter(c -> c.input().equals(input))
        .findFirst()
        .map(ConvOp::inChannels)
        .orElseThrow(() -> new IllegalStateException("no convolution reads the input"));
  }

  /**
   * Receptive radius in input pixels: how far outside a tile an output pixel of the tile can look
   * (rounded up). A tile halo at least this wide makes tiled output equal to untiled output.
   */
  public int receptiveRadius() {
    Map<String, double[]> r = new HashMap<>(); // tensor -> {radius in input px, input px per px}
    r.put(input, new double[] {0, 1});
    for (Op op : ops) {
      double[] out;
      if (op instanceof ConvOp c) {
        double[] in = tensor(r, c.input());
        out = new double[] {in[0] + c.padding() * in[1], in[1] * c.stride()};
      } else if (op instanceof AddOp a) {
        out = widest(tensor(r, a.a()), tensor(r, a.b()));
      } else if (op instanceof ConcatOp c) {
        out = tensor(r, c.inputs().get(0));
        for (String i : c.inputs()) {
          out = widest(out, tensor(r, i));
        }
      } else if (op instanceof UpsampleOp u) {
        double[] in = tensor(r, u.input());
        out = new double[] {in[0], in[1] / u.factor()};
      } else if (op instanceof DepthToSpaceOp d) {
        double[] in = tensor(r, d.input());
        out = new double[] {in[0], in[1] / d.block()};
      } else {
        out = tensor(r, ((ClipOp) op).input());
      }
      r.put(op.output(), out);
    }
    return (int) Math.ceil(tensor(r, output)[0] - 1e-9);
  }

  private static double[] widest(double[] a, double[] b) {
    return a[0] >= b[0] ? a : b;
  }

  /** Reads the network from an ONNX model; other operators are refused with the operator's name. */
  public static SrGraph from(OnnxModel model) {
    SrGraph g = parse(model);
    String declared = model.metadata().get(PIXEL_MAX);
    double pixelMax = declared == null ? 1 : Double.parseDouble(declared);
    return pixelMax == 1 ? g : g.rescaled(1 / pixelMax);
  }

  /** The same network on inputs scaled by {@code factor}: every bias times the factor. */
  private SrGraph rescaled(double factor) {
    List<Op> out = new ArrayList<>();
    for (Op op : ops) {
      if (op instanceof ClipOp) {
        throw new IllegalArgumentException(
            "a clipped network cannot declare " + PIXEL_MAX + " (it is not scale-invariant)");
      }
      if (op instanceof ConvOp c) {
        float[] b = c.bias().clone();
        for (int i = 0; i < b.length; i++) {
          b[i] = (float) (b[i] * factor);
        }
        out.add(c.with(c.weights(), b));
      } else {
        out.add(op);
      }
    }
    return new SrGraph(input, output, out);
  }

  private static SrGraph parse(OnnxModel model) {
    Map<String, String> alias = new HashMap<>();
    Map<String, float[]> constants = new HashMap<>();
    Map<String, Integer> consumers = new HashMap<>();
    for (OnnxProto.NodeProto n : model.nodes()) {
      n.getInputList().forEach(i -> consumers.merge(i, 1, Integer::sum));
    }
    List<Op> ops = new ArrayList<>();
    List<OnnxProto.NodeProto> nodes = model.nodes();
    for (int i = 0; i < nodes.size(); i++) {
      OnnxProto.NodeProto n = nodes.get(i);
      String out = n.getOutput(0);
      switch (n.getOpType()) {
        case "Identity" -> alias.put(out, resolve(alias, n.getInput(0)));
        case "Constant" ->
            constants.put(
                out,
                OnnxModel.floats(
                    Objects.requireNonNull(
                            OnnxModel.attribute(n, "value"), "Constant without value")
                        .getT()));
        case "Conv" -> {
          float[] w = OnnxModel.floats(tensor(model.initializers(), resolve(alias, n.getInput(1))));
          long[] dims = OnnxModel.dims(tensor(model.initializers(), resolve(alias, n.getInput(1))));
          float[] b =
              n.getInputCount() > 2
                  ? OnnxModel.floats(tensor(model.initializers(), resolve(alias, n.getInput(2))))
                  : new float[(int) dims[0]]; // no bias input: zero bias
          long[] pads = OnnxModel.intsAttr(n, "pads");
          long[] strides = OnnxModel.intsAttr(n, "strides");
          if (OnnxModel.intAttr(n, "group", 1) != 1 || dims[2] != dims[3]) {
            throw new IllegalArgumentException(
                "only square, ungrouped convolutions are supported: " + n.getName());
          }
          boolean relu =
              i + 1 < nodes.size()
                  && nodes.get(i + 1).getOpType().equals("Relu")
                  && nodes.get(i + 1).getInput(0).equals(out)
                  && consumers.getOrDefault(out, 0) == 1;
          String result = relu ? nodes.get(++i).getOutput(0) : out;
          ops.add(
              new ConvOp(
                  n.getName().isEmpty() ? out : n.getName(),
                  resolve(alias, n.getInput(0)),
                  result,
                  (int) dims[1],
                  (int) dims[0],
                  (int) dims[2],
                  strides == null ? 1 : (int) strides[0],
                  pads == null ? 0 : (int) pads[0],
                  relu,
                  w,
                  b));
        }
        case "Add" ->
            ops.add(new AddOp(resolve(alias, n.getInput(0)), resolve(alias, n.getInput(1)), out));
        case "Concat" -> {
          if (OnnxModel.intAttr(n, "axis", 0) != 1) {
            throw new IllegalArgumentException("Concat must join channels (axis 1): " + out);
          }
          ops.add(
              new ConcatOp(n.getInputList().stream().map(x -> resolve(alias, x)).toList(), out));
        }
        case "Resize" -> ops.add(upsample(model, n, resolve(alias, n.getInput(0))));
        case "DepthToSpace" -> {
          if (!OnnxModel.stringAttr(n, "mode", "DCR").equals("CRD")) {
            throw new IllegalArgumentException("DepthToSpace must be in CRD mode (PixelShuffle)");
          }
          ops.add(
              new DepthToSpaceOp(
                  resolve(alias, n.getInput(0)), out, (int) OnnxModel.intAttr(n, "blocksize", 1)));
        }
        case "Clip" ->
            ops.add(
                new ClipOp(
                    resolve(alias, n.getInput(0)),
                    out,
                    tensor(constants, n.getInput(1))[0],
                    tensor(constants, n.getInput(2))[0]));
        default ->
            throw new IllegalArgumentException(
                "operator " + n.getOpType() + " is not in the NPU's integer set");
      }
    }
    String in = model.inputs().get(0).getName();
    String out = resolve(alias, model.outputs().get(0).getName());
    return new SrGraph(in, out, ops);
  }

  /**
   * A Resize that replicates pixels: mode nearest, scales [1, 1, f, f] with an integer f, and a
   * coordinate mapping under which integer upscaling is replication (asymmetric with floor).
   */
  private static UpsampleOp upsample(OnnxModel model, OnnxProto.NodeProto n, String in) {
    String out = n.getOutput(0);
    if (!OnnxModel.stringAttr(n, "mode", "nearest").equals("nearest")
        || !OnnxModel.stringAttr(n, "coordinate_transformation_mode", "half_pixel")
            .equals("asymmetric")
        || !OnnxModel.stringAttr(n, "nearest_mode", "round_prefer_floor").equals("floor")
        || n.getInputCount() < 3) {
      throw new IllegalArgumentException(
          "Resize must be nearest, asymmetric, floor, with scales: " + out);
    }
    float[] s = OnnxModel.floats(tensor(model.initializers(), n.getInput(2)));
    if (s.length != 4 || s[0] != 1 || s[1] != 1 || s[2] != s[3] || s[2] != Math.rint(s[2])) {
      throw new IllegalArgumentException(
          "Resize must scale height and width by one integer factor: " + out);
    }
    return new UpsampleOp(in, out, (int) s[2]);
  }

  /**
   * The value of {@code name} in a map of tensors; a graph that names a missing tensor is
   * malformed.
   */
  static <V> V tensor(Map<String, V> values, String name) {
    V v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException(
          "the graph uses tensor '" + name + "' before it is produced");
    }
    return v;
  }

  private static String resolve(Map<String, String> alias, String name) {
    return alias.getOrDefault(name, name);
  }

  /** A tensor of one image: [channels][height][width] floats. */
  public record Image(float[] data, int channels, int height, int width) {}

  /** FP32 reference; when {@code ranges} is not null, widens each tensor's [min, max] there. */
  public Image runFloat(Image x, @Nullable Map<String, double[]> ranges) {
    Map<String, Image> t = new HashMap<>();
    t.put(input, x);
    record(ranges, input, x);
    for (Op op : ops) {
      Image y;
      if (op instanceof ConvOp c) {
        y = FloatOps.conv(c, tensor(t, c.input()));
      } else if (op instanceof AddOp a) {
        y = FloatOps.add(tensor(t, a.a()), tensor(t, a.b()));
      } else if (op instanceof ConcatOp c) {
        y = FloatOps.concat(c.inputs().stream().map(i -> tensor(t, i)).toList());
      } else if (op instanceof UpsampleOp u) {
        y = FloatOps.upsample(tensor(t, u.input()), u.factor());
      } else if (op instanceof DepthToSpaceOp d) {
        y = FloatOps.depthToSpace(tensor(t, d.input()), d.block());
      } else {
        ClipOp c = (ClipOp) op;
        y = FloatOps.clip(tensor(t, c.input()), c.min(), c.max());
      }
      t.put(op.output(), y);
      record(ranges, op.output(), y);
    }
    return tensor(t, output);
  }

  public String output() {
    return output;
  }

  private static void record(@Nullable Map<String, double[]> ranges, String name, Image img) {
    if (ranges == null) {
      return;
    }
    double[] r =
        ranges.computeIfAbsent(name, k -> new double[] {Double.MAX_VALUE, -Double.MAX_VALUE});
    for (float v : img.data()) {
      r[0] = Math.min(r[0], v);
      r[1] = Math.max(r[1], v);
    }
  }
}
