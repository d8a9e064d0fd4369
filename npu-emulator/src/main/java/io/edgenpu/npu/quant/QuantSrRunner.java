package io.edgenpu.npu.quant;

import io.edgenpu.npu.quant.SrGraph.AddOp;
import io.edgenpu.npu.quant.SrGraph.ClipOp;
import io.edgenpu.npu.quant.SrGraph.ConvOp;
import io.edgenpu.npu.quant.SrGraph.DepthToSpaceOp;
import io.edgenpu.npu.quant.SrGraph.Image;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs an {@link SrGraph} in the NPU's integer arithmetic with a wordlength per convolution (8 =
 * A8W8, 16 = A16W8): every tensor holds unsigned codes quantised over its calibrated range at the
 * wordlength of the layer that produced it; a layer whose input has another wordlength first
 * converts it (the NPU's convert node: an integer requantisation); Add requantises both operands to
 * its output's codes; DepthToSpace moves codes; Clip clamps codes. Only the input quantisation and
 * the final dequantisation touch real numbers.
 */
public final class QuantSrRunner {
  private final SrGraph graph;
  private final Map<String, double[]> ranges;
  private final Map<String, QuantConv2d> convs = new HashMap<>();
  private final Map<String, ActQuant> quants = new HashMap<>();
  private int conversions;

  /**
   * @param ranges calibrated [min, max] per tensor ({@link SrGraph#runFloat} on a calibration set)
   * @param bits wordlength per convolution, in {@link SrGraph#convs()} order (8 or 16)
   */
  public QuantSrRunner(SrGraph graph, Map<String, double[]> ranges, List<Integer> bits) {
    List<ConvOp> layers = graph.convs();
    if (bits.size() != layers.size()) {
      throw new IllegalArgumentException(
          "need one wordlength per convolution (" + layers.size() + "), got " + bits.size());
    }
    this.graph = graph;
    this.ranges = ranges;
    int inputBits = bits.get(0);
    quants.put(graph.input(), quant(graph.input(), inputBits));
    for (int i = 0; i < layers.size(); i++) {
      ConvOp c = layers.get(i);
      int b = bits.get(i);
      ActQuant in = quant(c.input(), b);
      ActQuant out = quant(c.output(), b);
      quants.put(c.output(), out);
      convs.put(
          c.output(),
          new QuantConv2d(
              c.inChannels(),
              c.outChannels(),
              c.kernel(),
              c.stride(),
              c.padding(),
              c.relu(),
              c.weights(),
              c.bias(),
              in,
              out));
    }
    for (SrGraph.Op op : graph.ops()) {
      if (op instanceof AddOp a) {
        int b =
            Math.max(SrGraph.tensor(quants, a.a()).bits(), SrGraph.tensor(quants, a.b()).bits());
        quants.put(a.output(), quant(a.output(), b));
      } else if (op instanceof DepthToSpaceOp d) {
        quants.put(d.output(), SrGraph.tensor(quants, d.input()));
      } else if (op instanceof ClipOp c) {
        quants.put(c.output(), SrGraph.tensor(quants, c.input()));
      }
    }
  }

  private ActQuant quant(String tensor, int bits) {
    double[] r = ranges.get(tensor);
    if (r == null) {
      throw new IllegalArgumentException("no calibrated range for tensor " + tensor);
    }
    return ActQuant.calibrate(bits, r[0], r[1]);
  }

  /**
   * The codec's enhanced mode, dynamic range estimation: every layer quantised over the ranges its
   * tensors actually take on this input (what an on-the-fly min/max of the accumulators before
   * requantisation sees), instead of the offline calibrated ranges. Emulated by measuring those
   * ranges on a float pass.
   */
  public static Image runWithDynamicRanges(SrGraph graph, Image x, List<Integer> bits) {
    return new QuantSrRunner(graph, SrCalibration.ranges(graph, List.of(x)), bits).run(x);
  }

  /** Precision conversions (convert nodes) executed by the last {@link #run}. */
  public int conversions() {
    return conversions;
  }

  /** Runs one image; returns the dequantised output. */
  public Image run(Image x) {
    conversions = 0;
    Map<String, int[]> codes = new HashMap<>();
    Map<String, int[]> shapes = new HashMap<>();
    ActQuant inQ = SrGraph.tensor(quants, graph.input());
    int[] c0 = new int[x.data().length];
    for (int i = 0; i < c0.length; i++) {
      c0[i] = inQ.quantize(x.data()[i]);
    }
    codes.put(graph.input(), c0);
    shapes.put(graph.input(), new int[] {x.channels(), x.height(), x.width()});
    for (SrGraph.Op op : graph.ops()) {
      if (op instanceof ConvOp c) {
        QuantConv2d conv = SrGraph.tensor(convs, c.output());
        int[] s = SrGraph.tensor(shapes, c.input());
        int[] in =
            convert(
                SrGraph.tensor(codes, c.input()),
                SrGraph.tensor(quants, c.input()),
                quant(c.input(), conv.outputQuant().bits()));
        codes.put(c.output(), conv.run(in, s[1], s[2]));
        shapes.put(
            c.output(), new int[] {c.outChannels(), conv.outputSize(s[1]), conv.outputSize(s[2])});
      } else if (op instanceof AddOp a) {
        codes.put(
            a.output(),
            add(
                SrGraph.tensor(codes, a.a()),
                SrGraph.tensor(quants, a.a()),
                SrGraph.tensor(codes, a.b()),
                SrGraph.tensor(quants, a.b()),
                SrGraph.tensor(quants, a.output())));
        shapes.put(a.output(), SrGraph.tensor(shapes, a.a()));
      } else if (op instanceof DepthToSpaceOp d) {
        int[] s = SrGraph.tensor(shapes, d.input());
        codes.put(d.output(), depthToSpace(SrGraph.tensor(codes, d.input()), s, d.block()));
        shapes.put(
            d.output(),
            new int[] {s[0] / (d.block() * d.block()), s[1] * d.block(), s[2] * d.block()});
      } else {
        ClipOp c = (ClipOp) op;
        ActQuant q = SrGraph.tensor(quants, c.output());
        int lo = q.quantize(c.min());
        int hi = q.quantize(c.max());
        int[] in = SrGraph.tensor(codes, c.input());
        int[] out = new int[in.length];
        for (int i = 0; i < in.length; i++) {
          out[i] = Math.max(lo, Math.min(hi, in[i]));
        }
        codes.put(c.output(), out);
        shapes.put(c.output(), SrGraph.tensor(shapes, c.input()));
      }
    }
    int[] out = SrGraph.tensor(codes, graph.output());
    int[] s = SrGraph.tensor(shapes, graph.output());
    ActQuant q = SrGraph.tensor(quants, graph.output());
    float[] data = new float[out.length];
    for (int i = 0; i < out.length; i++) {
      data[i] = (float) q.dequantize(out[i]);
    }
    return new Image(data, s[0], s[1], s[2]);
  }

  /**
   * The NPU's convert node: codes of one quantisation re-expressed in another (integer
   * requantisation).
   */
  private int[] convert(int[] in, ActQuant from, ActQuant to) {
    if (from.equals(to)) {
      return in;
    }
    conversions++;
    FixedPointMultiplier m = FixedPointMultiplier.of(from.scale() / to.scale());
    int[] out = new int[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] =
          (int) Rounding.clamp(to.zeroPoint() + m.apply(in[i] - from.zeroPoint()), 0, to.qmax());
    }
    return out;
  }

  private static int[] add(int[] a, ActQuant qa, int[] b, ActQuant qb, ActQuant qo) {
    FixedPointMultiplier ma = FixedPointMultiplier.of(qa.scale() / qo.scale());
    FixedPointMultiplier mb = FixedPointMultiplier.of(qb.scale() / qo.scale());
    int[] out = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      long v = qo.zeroPoint() + ma.apply(a[i] - qa.zeroPoint()) + mb.apply(b[i] - qb.zeroPoint());
      out[i] = (int) Rounding.clamp(v, 0, qo.qmax());
    }
    return out;
  }

  private static int[] depthToSpace(int[] in, int[] shape, int r) {
    int[] from = FloatOps.depthToSpaceSources(shape[0], shape[1], shape[2], r);
    int[] out = new int[from.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = in[from[i]];
    }
    return out;
  }
}
