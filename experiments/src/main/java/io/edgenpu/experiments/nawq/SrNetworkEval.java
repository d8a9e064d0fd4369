package io.edgenpu.experiments.nawq;

import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.profile.PrecisionCost;
import io.edgenpu.npu.profile.PrecisionMode;
import io.edgenpu.npu.quant.DynamicRangeEstimation;
import io.edgenpu.npu.quant.HpqConfig;
import io.edgenpu.npu.quant.HybridPrecisionLatency;
import io.edgenpu.npu.quant.Psnr;
import io.edgenpu.npu.quant.QuantSrRunner;
import io.edgenpu.npu.quant.RgbImages;
import io.edgenpu.npu.quant.SrCalibration;
import io.edgenpu.npu.quant.SrGraph;
import io.edgenpu.npu.quant.SrGraph.Image;
import io.edgenpu.npu.quant.Ssim;
import io.edgenpu.npu.quant.TileCodec;
import io.edgenpu.npu.quant.TileCost;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * One served SR network under NAWQ-SR (for {@code nawq-results}): its graph, ranges calibrated on
 * its {@code <name>-nawq/calib} set, its static configurations (all-A16W8, all-A8W8, the shipped
 * {@code hpq/eps-*} ones), dynamic range estimation on the top-{@value #DRE_LAYERS} layers by the
 * search's sensitivity, and per-image evaluation. Every integer image comes from the NPU's integer
 * kernels, tile by tile: with a halo of the receptive radius the stitched tiles equal the untiled
 * run exactly, so the static rows are the stitched static tiles, and the codec's rows reuse them.
 */
final class SrNetworkEval {
  /** Layers with dynamic range estimation in an enhanced tile (the paper's default K). */
  static final int DRE_LAYERS = 3;

  /** Side of the square patch the latency model is evaluated on; times scale per pixel. */
  private static final int REFERENCE = 64;

  /**
   * One row of the table: {@code quality} = {PSNR over the network's channels, Y PSNR, Y SSIM} (dB,
   * dB, 1); times in ms (NaN: not applicable).
   */
  record Row(
      String config,
      double eps,
      String image,
      double[] quality,
      double npuMs,
      double cpuMs,
      double enhancedFraction) {}

  final String name;
  final int scale;
  final SrGraph graph;
  final Map<String, HpqConfig> configs = new LinkedHashMap<>();
  private final OnnxModel model;
  private final Map<String, double[]> ranges;
  private final @Nullable DynamicRangeEstimation dre;

  SrNetworkEval(Path repository, String name, NpuProfile npu) throws IOException {
    this.name = name;
    Path nawq = repository.resolve(name + "-nawq");
    this.model = OnnxModel.read(nawq.resolve("1").resolve("model.onnx"));
    this.graph = SrGraph.from(model);
    this.scale = SrCalibration.scale(graph);
    this.ranges =
        SrCalibration.ranges(
            graph,
            SrCalibration.read(nawq, graph.inputChannels()).stream().map(p -> p.lr()).toList());
    int n = graph.convs().size();
    configs.put("all-A16W8", new HpqConfig("all-A16W8", Double.NaN, Collections.nCopies(n, 16)));
    configs.put("all-A8W8", new HpqConfig("all-A8W8", Double.NaN, Collections.nCopies(n, 8)));
    List<HpqConfig> searched = HpqConfig.readFeasible(nawq, n);
    for (HpqConfig c : searched) {
      configs.put("hpq " + c.name(), c);
    }
    this.dre = DynamicRangeEstimation.fromSearch(graph, searched, DRE_LAYERS, npu);
  }

  /** A configuration by name (e.g. all-A16W8); it must exist. */
  List<Integer> bits(String config) {
    HpqConfig c = configs.get(config);
    if (c == null) {
      throw new IllegalArgumentException(name + " has no configuration " + config);
    }
    return c.bits();
  }

  int channels() {
    return graph.inputChannels();
  }

  /** The DRE layers' names (empty without a search). */
  List<String> dreLayerNames() {
    if (dre == null) {
      return List.of();
    }
    return graph.convs().stream()
        .filter(c -> dre.layers().contains(c.output()))
        .map(SrGraph.ConvOp::name)
        .toList();
  }

  /** The NPU with A16W8 MACs costing {@code r16} x A8W8's. */
  static NpuProfile withR16(NpuProfile npu, double r16) {
    PrecisionCost c = npu.cost(PrecisionMode.A16W8);
    return npu.withPrecisionCost(
        PrecisionMode.A16W8, new PrecisionCost(c.activationBytes(), c.weightBytes(), r16));
  }

  /** Emulated nanoseconds per low-resolution pixel of a configuration. */
  double nanosPerPixel(List<Integer> bits, NpuProfile npu) {
    return HybridPrecisionLatency.nanos(model, graph, bits, npu, REFERENCE)
        / (REFERENCE * REFERENCE);
  }

  /** The codec's tile costs for a static configuration (enhanced = it plus DRE). */
  TileCost tileCost(List<Integer> bits, NpuProfile npu) {
    double p = nanosPerPixel(bits, npu);
    if (dre == null) {
      return new TileCost(p, p, 0);
    }
    return new TileCost(p, p + dre.nanosPerPixel(graph), dre.nanosPerTile());
  }

  /**
   * The PROMOTE variant of the enhanced mode (the design notes' alternative to DRE): the DRE layers
   * switched to 16 bits for the tile instead of estimating their ranges (none without a search).
   */
  List<Integer> promoted(List<Integer> bits) {
    List<Integer> out = new ArrayList<>(bits);
    List<SrGraph.ConvOp> convs = graph.convs();
    for (int i = 0; i < convs.size(); i++) {
      if (dre != null && dre.layers().contains(convs.get(i).output())) {
        out.set(i, 16);
      }
    }
    return out;
  }

  /** The codec's tile costs when enhanced tiles are promoted (no DRE, no per-tile cost). */
  TileCost promoteCost(List<Integer> bits, NpuProfile npu) {
    return new TileCost(nanosPerPixel(bits, npu), nanosPerPixel(promoted(bits), npu), 0);
  }

  /**
   * One configuration's tiles on one image: static, and (when asked) enhanced by DRE and by
   * promotion; run once, reused for every budget.
   */
  final class Tiled {
    final List<TileCodec.Tile> tiles;
    final List<Image> fixed;
    final List<Image> enhanced;
    final List<Image> promotedTiles;
    final TileCodec codec;
    final double cpuMs;
    final double cpuMsEnhanced;

    Tiled(Image lr, List<Integer> bits, int patch, boolean withDre, boolean withPromote) {
      codec = new TileCodec(patch, graph.receptiveRadius(), scale);
      tiles = codec.tiles(lr.height(), lr.width());
      long t0 = System.nanoTime();
      fixed = runAll(lr, bits, Set.of());
      cpuMs = (System.nanoTime() - t0) / 1e6;
      long t1 = System.nanoTime();
      enhanced = dre == null || !withDre ? fixed : runAll(lr, bits, dre.layers());
      cpuMsEnhanced = (System.nanoTime() - t1) / 1e6;
      promotedTiles = withPromote ? runAll(lr, promoted(bits), Set.of()) : fixed;
    }

    /** Every tile in one mode; a runner per tile (tiles in parallel on the common pool). */
    private List<Image> runAll(Image lr, List<Integer> bits, Set<String> dreLayers) {
      return IntStream.range(0, tiles.size())
          .parallel()
          .mapToObj(
              i ->
                  new QuantSrRunner(graph, ranges, bits, dreLayers)
                      .run(TileCodec.crop(lr, tiles.get(i))))
          .toList();
    }

    /** The stitched image with {@code chosen} tiles enhanced by DRE. */
    Image stitch(Set<TileCodec.Tile> chosen) {
      return stitch(chosen, enhanced);
    }

    /** The stitched image with {@code chosen} tiles promoted. */
    Image stitchPromoted(Set<TileCodec.Tile> chosen) {
      return stitch(chosen, promotedTiles);
    }

    private Image stitch(Set<TileCodec.Tile> chosen, List<Image> modeTiles) {
      List<Image> outs = new ArrayList<>(tiles.size());
      for (int i = 0; i < tiles.size(); i++) {
        outs.add(chosen.contains(tiles.get(i)) ? modeTiles.get(i) : fixed.get(i));
      }
      int h = tiles.stream().mapToInt(t -> t.y0() + t.h()).max().orElse(0);
      int w = tiles.stream().mapToInt(t -> t.x0() + t.w()).max().orElse(0);
      return codec.stitch(tiles, outs, h, w);
    }
  }

  /** PSNR (all channels), Y PSNR and Y SSIM of an output against the reference. */
  double[] quality(Image out, Image hr) {
    Image y = RgbImages.toY(out);
    Image yRef = RgbImages.toY(hr);
    return new double[] {
      Psnr.of(out, hr, scale), Psnr.of(y, yRef, scale), Ssim.luma(y, yRef, scale)
    };
  }

  /** Tiles of {@code bits} on an image: static, and enhanced by DRE and/or promotion. */
  Tiled tiled(Image lr, List<Integer> bits, int patch, boolean withDre, boolean withPromote) {
    return new Tiled(lr, bits, patch, withDre, withPromote);
  }
}
