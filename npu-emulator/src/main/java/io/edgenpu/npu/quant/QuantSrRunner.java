package io.edgenpu.npu.quant;

import io.edgenpu.npu.quant.SrGraph.AddOp;
import io.edgenpu.npu.quant.SrGraph.ClipOp;
import io.edgenpu.npu.quant.SrGraph.ConcatOp;
import io.edgenpu.npu.quant.SrGraph.ConvOp;
import io.edgenpu.npu.quant.SrGraph.DepthToSpaceOp;
import io.edgenpu.npu.quant.SrGraph.Image;
import io.edgenpu.npu.quant.SrGraph.UpsampleOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs an {@link SrGraph} in the NPU's integer arithmetic with a wordlength per convolution (8 =
 * A8W8, 16 = A16W8): every tensor holds unsigned codes quantised over its calibrated range at the
 * wordlength of the layer that produced it; a layer whose input has another wordlength first
 * converts it (the NPU's convert node: an integer requantisation); Add and Concat requantise their
 * operands to their output's codes; DepthToSpace and nearest upsampling move codes; Clip clamps
 * codes. Only the input quantisation and the final dequantisation touch real numbers.
 *
 * <p>Dynamic range estimation (DRE, NAWQ-SR's runtime mode): the convolutions named in {@code
 * dreLayers} quantise their outputs over the range measured on the input at hand ({@link
 * QuantConv2d#runDynamic}) instead of the calibrated one; the layers that read such a tensor take
 * its codes in that quantisation (at their own wordlength).
 */
public final class QuantSrRunner {
  private final SrGraph graph;
  private final Map<String, double[]> ranges;
  private final Map<String, QuantConv2d> convs = new HashMap<>();
  private final Map<String, ActQuant> quants = new HashMap<>();
  private final Set<String> dreLayers;
  private int conversions;

  /**
   * A runner with calibrated ranges everywhere (no DRE).
   *
   * @param ranges calibrated [min, max] per tensor ({@link SrGraph#runFloat} on a calibration set)
   * @param bits wordlength per convolution, in {@link SrGraph#convs()} order (8 or 16)
   */
  public QuantSrRunner(SrGraph graph, Map<String, double[]> ranges, List<Integer> bits) {
    this(graph, ranges, bits, Set.of());
  }

  /**
   * @param dreLayers output tensors of the convolutions that estimate their range per input
   */
  public QuantSrRunner(
      SrGraph graph, Map<String, double[]> ranges, List<Integer> bits, Set<String> dreLayers) {
    List<ConvOp> layers = graph.convs();
    if (bits.size() != layers.size()) {
      throw new IllegalArgumentException(
          "need one wordlength per convolution (" + layers.size() + "), got " + bits.size());
    }
    for (String d : dreLayers) {
      if (layers.stream().noneMatch(c -> c.output().equals(d))) {
        throw new IllegalArgumentException("DRE layer " + d + " is not a convolution's output");
      }
    }
    this.graph = graph;
    this.ranges = ranges;
    this.dreLayers = Set.copyOf(dreLayers);
    int inputBits = bits.get(0);
    quants.put(graph.input(), quant(graph.input(), inputBits));
    for (int i = 0; i < layers.size(); i++) {
      ConvOp c = layers.get(i);
      int b = bits.get(i);
      ActQuant out = quant(c.output(), b);
      quants.put(c.output(), out);
      convs.put(c.output(), layer(c, quant(c.input(), b), out));
    }
    for (SrGraph.Op op : graph.ops()) {
      if (op instanceof AddOp a) {
        int b =
            Math.max(SrGraph.tensor(quants, a.a()).bits(), SrGraph.tensor(quants, a.b()).bits());
        quants.put(a.output(), quant(a.output(), b));
      } else if (op instanceof ConcatOp c) {
        int b = c.inputs().stream().mapToInt(x -> SrGraph.tensor(quants, x).bits()).max().orElse(8);
        quants.put(c.output(), quant(c.output(), b));
      } else if (op instanceof UpsampleOp u) {
        quants.put(u.output(), SrGraph.tensor(quants, u.input()));
      } else if (op instanceof DepthToSpaceOp d) {
        quants.put(d.output(), SrGraph.tensor(quants, d.input()));
      } else if (op instanceof ClipOp c) {
        quants.put(c.output(), SrGraph.tensor(quants, c.input()));
      }
    }
  }

  private static QuantConv2d layer(ConvOp c, ActQuant in, ActQuant out) {
    return new QuantConv2d(
        c.inChannels(),
        c.outChannels(),
        c.kernel(),
        c.stride(),
        c.padding(),
        c.relu(),
        c.weights(),
        c.bias(),
        in,
        out);
  }

  private ActQuant quant(String tensor, int bits) {
    double[] r = ranges.get(tensor);
    if (r == null) {
      throw new IllegalArgumentException("no calibrated range for tensor " + tensor);
    }
    return ActQuant.calibrate(bits, r[0], r[1]);
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
    Map<String, ActQuant> q = new HashMap<>(quants); // this run's quantisation (DRE changes it)
    ActQuant inQ = SrGraph.tensor(q, graph.input());
    int[] c0 = new int[x.data().length];
    for (int i = 0; i < c0.length; i++) {
      c0[i] = inQ.quantize(x.data()[i]);
    }
    codes.put(graph.input(), c0);
    shapes.put(graph.input(), new int[] {x.channels(), x.height(), x.width()});
    for (SrGraph.Op op : graph.ops()) {
      int[] s = SrGraph.tensor(shapes, input(op));
      if (op instanceof ConvOp c) {
        QuantConv2d conv = SrGraph.tensor(convs, c.output());
        ActQuant have = SrGraph.tensor(q, c.input());
        if (!have.equals(SrGraph.tensor(quants, c.input()))) { // a DRE tensor: its own range
          conv = layer(c, have.withBits(conv.outputQuant().bits()), conv.outputQuant());
        }
        int[] in = convert(SrGraph.tensor(codes, c.input()), have, conv.inputQuant());
        int[] sh = SrGraph.tensor(shapes, c.input());
        if (dreLayers.contains(c.output())) {
          QuantConv2d.Dynamic d = conv.runDynamic(in, sh[1], sh[2]);
          codes.put(c.output(), d.codes());
          q.put(c.output(), d.quant());
        } else {
          codes.put(c.output(), conv.run(in, sh[1], sh[2]));
        }
        shapes.put(
            c.output(),
            new int[] {c.outChannels(), conv.outputSize(sh[1]), conv.outputSize(sh[2])});
      } else if (op instanceof AddOp a) {
        codes.put(
            a.output(),
            add(
                SrGraph.tensor(codes, a.a()),
                SrGraph.tensor(q, a.a()),
                SrGraph.tensor(codes, a.b()),
                SrGraph.tensor(q, a.b()),
                SrGraph.tensor(q, a.output())));
        shapes.put(a.output(), SrGraph.tensor(shapes, a.a()));
      } else if (op instanceof ConcatOp c) {
        ActQuant to = SrGraph.tensor(q, c.output());
        int channels = 0;
        List<int[]> parts = new ArrayList<>();
        for (String i : c.inputs()) {
          parts.add(requantise(SrGraph.tensor(codes, i), SrGraph.tensor(q, i), to));
          channels += SrGraph.tensor(shapes, i)[0];
        }
        codes.put(c.output(), concat(parts));
        int[] first = SrGraph.tensor(shapes, c.inputs().get(0));
        shapes.put(c.output(), new int[] {channels, first[1], first[2]});
      } else if (op instanceof UpsampleOp u) {
        int[] from = FloatOps.upsampleSources(s[0], s[1], s[2], u.factor());
        codes.put(u.output(), gather(SrGraph.tensor(codes, u.input()), from));
        q.put(u.output(), SrGraph.tensor(q, u.input()));
        shapes.put(u.output(), new int[] {s[0], s[1] * u.factor(), s[2] * u.factor()});
      } else if (op instanceof DepthToSpaceOp d) {
        int[] from = FloatOps.depthToSpaceSources(s[0], s[1], s[2], d.block());
        codes.put(d.output(), gather(SrGraph.tensor(codes, d.input()), from));
        q.put(d.output(), SrGraph.tensor(q, d.input()));
        shapes.put(
            d.output(),
            new int[] {s[0] / (d.block() * d.block()), s[1] * d.block(), s[2] * d.block()});
      } else {
        ClipOp c = (ClipOp) op;
        ActQuant cq = SrGraph.tensor(q, c.input());
        q.put(c.output(), cq);
        int lo = cq.quantize(c.min());
        int hi = cq.quantize(c.max());
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
    ActQuant oq = SrGraph.tensor(q, graph.output());
    float[] data = new float[out.length];
    for (int i = 0; i < out.length; i++) {
      data[i] = (float) oq.dequantize(out[i]);
    }
    return new Image(data, s[0], s[1], s[2]);
  }

  /** The tensor an operation moves or reads first (for the shape of pixel moves). */
  private static String input(SrGraph.Op op) {
    if (op instanceof ConvOp c) {
      return c.input();
    } else if (op instanceof AddOp a) {
      return a.a();
    } else if (op instanceof ConcatOp c) {
      return c.inputs().get(0);
    } else if (op instanceof UpsampleOp u) {
      return u.input();
    } else if (op instanceof DepthToSpaceOp d) {
      return d.input();
    }
    return ((ClipOp) op).input();
  }

  /**
   * The NPU's convert node: codes of one quantisation re-expressed in another (integer
   * requantisation); counted when the wordlength changes.
   */
  private int[] convert(int[] in, ActQuant from, ActQuant to) {
    if (from.equals(to)) {
      return in;
    }
    if (from.bits() != to.bits()) {
      conversions++;
    }
    return requantise(in, from, to);
  }

  private static int[] requantise(int[] in, ActQuant from, ActQuant to) {
    if (from.equals(to)) {
      return in;
    }
    FixedPointMultiplier m = FixedPointMultiplier.of(from.scale() / to.scale());
    int[] out = new int[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] =
          (int) Rounding.clamp(to.zeroPoint() + m.apply(in[i] - from.zeroPoint()), 0, to.qmax());
    }
    return out;
  }

  private static int[] concat(List<int[]> parts) {
    int[] out = new int[parts.stream().mapToInt(p -> p.length).sum()];
    int at = 0;
    for (int[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
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

  private static int[] gather(int[] in, int[] from) {
    int[] out = new int[from.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = in[from[i]];
    }
    return out;
  }
}
