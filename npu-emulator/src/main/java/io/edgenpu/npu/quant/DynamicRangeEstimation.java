package io.edgenpu.npu.quant;

import io.edgenpu.npu.profile.NpuProfile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * NAWQ-SR's runtime dynamic range estimation (DRE, docs/papers/nawq-sr.md): which layers estimate
 * their output range per tile (the top-K by quantisation sensitivity) and what that costs.
 *
 * <p>Cost model, t_dre(l) = elements_l x bytes / bandwidth + t_sync, per DRE layer per tile: the
 * layer's 32-bit accumulators must be reduced to a min and max before any of them can be
 * requantised, which breaks the NPU's fused conv-requantise pipeline: they are written out and read
 * back (8 bytes per element over the profile's DRAM bandwidth), and the host (or a sub-graph split)
 * turns the min/max into a new scale and zero point ({@code syncNanos}, a fixed cost per layer per
 * tile).
 *
 * @param layers output tensors of the DRE convolutions
 * @param bytesPerSecond the bandwidth of the accumulators' round trip
 * @param syncNanos t_sync, per layer per tile
 */
public record DynamicRangeEstimation(Set<String> layers, double bytesPerSecond, double syncNanos) {
  /** Bytes per accumulator element moved by the reduction: a 32-bit write and read back. */
  public static final double BYTES_PER_ELEMENT = 8;

  /** The default t_sync, 0.2 ms per layer per tile (the design's default, docs/papers). */
  public static final double DEFAULT_SYNC_NANOS = 200_000;

  public DynamicRangeEstimation {
    layers = Set.copyOf(layers);
    if (!(bytesPerSecond > 0) || !(syncNanos >= 0)) {
      throw new IllegalArgumentException("DRE bandwidth must be > 0 and t_sync >= 0");
    }
  }

  /**
   * DRE on the {@code k} convolutions with the largest sensitivity (ties: graph order), charged on
   * {@code profile}'s DRAM bandwidth.
   *
   * @param sensitivity dB per convolution, in {@link SrGraph#convs()} order
   */
  public static DynamicRangeEstimation topK(
      SrGraph graph, double[] sensitivity, int k, NpuProfile profile, double syncNanos) {
    List<SrGraph.ConvOp> convs = graph.convs();
    if (sensitivity.length != convs.size()) {
      throw new IllegalArgumentException(
          "need one sensitivity per convolution (" + convs.size() + ")");
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < convs.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingDouble((Integer i) -> -sensitivity[i]));
    Set<String> chosen = new LinkedHashSet<>();
    for (int i = 0; i < Math.min(k, order.size()); i++) {
      chosen.add(convs.get(order.get(i)).output());
    }
    double bandwidth = profile.dramBytesPerSecond() > 0 ? profile.dramBytesPerSecond() : 1e18;
    return new DynamicRangeEstimation(chosen, bandwidth, syncNanos);
  }

  /**
   * DRE on the top-{@code k} layers by the sensitivities of the first searched configuration that
   * has them (every search writes the same ones); null when none does (no search ran: no enhanced
   * mode), with the default t_sync.
   */
  public static @Nullable DynamicRangeEstimation fromSearch(
      SrGraph graph, List<HpqConfig> configs, int k, NpuProfile profile) {
    return configs.stream()
        .filter(c -> !c.sensitivity().isEmpty())
        .findFirst()
        .map(c -> topK(graph, c.sensitivityArray(), k, profile, DEFAULT_SYNC_NANOS))
        .orElse(null);
  }

  /**
   * t_dre per low-resolution input pixel (the bandwidth part, proportional to the tile's area) on
   * {@code graph}.
   */
  public double nanosPerPixel(SrGraph graph) {
    Map<String, double[]> perPixel = elementsPerPixel(graph);
    double elements = 0;
    for (String l : layers) {
      elements += SrGraph.tensor(perPixel, l)[0];
    }
    return elements * BYTES_PER_ELEMENT / bytesPerSecond * 1e9;
  }

  /** t_dre's fixed part per tile: t_sync for every DRE layer. */
  public double nanosPerTile() {
    return layers.size() * syncNanos;
  }

  /** Elements of every tensor per input pixel ({channels x area factor}). */
  static Map<String, double[]> elementsPerPixel(SrGraph graph) {
    Map<String, double[]> e = new HashMap<>(); // tensor -> {elements per input pixel, area factor}
    e.put(graph.input(), new double[] {graph.inputChannels(), 1});
    for (SrGraph.Op op : graph.ops()) {
      double[] out;
      if (op instanceof SrGraph.ConvOp c) {
        double area = SrGraph.tensor(e, c.input())[1] / (c.stride() * c.stride());
        out = new double[] {c.outChannels() * area, area};
      } else if (op instanceof SrGraph.AddOp a) {
        out = SrGraph.tensor(e, a.a());
      } else if (op instanceof SrGraph.ConcatOp c) {
        double sum = 0;
        for (String i : c.inputs()) {
          sum += SrGraph.tensor(e, i)[0];
        }
        out = new double[] {sum, SrGraph.tensor(e, c.inputs().get(0))[1]};
      } else if (op instanceof SrGraph.UpsampleOp u) {
        double[] in = SrGraph.tensor(e, u.input());
        int f2 = u.factor() * u.factor();
        out = new double[] {in[0] * f2, in[1] * f2};
      } else if (op instanceof SrGraph.DepthToSpaceOp d) {
        double[] in = SrGraph.tensor(e, d.input());
        out = new double[] {in[0], in[1] * d.block() * d.block()};
      } else {
        out = SrGraph.tensor(e, ((SrGraph.ClipOp) op).input());
      }
      e.put(op.output(), out);
    }
    return e;
  }
}
