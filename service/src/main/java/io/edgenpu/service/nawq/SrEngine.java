package io.edgenpu.service.nawq;

import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.quant.DynamicRangeEstimation;
import io.edgenpu.npu.quant.HpqConfig;
import io.edgenpu.npu.quant.HpqSearch;
import io.edgenpu.npu.quant.HybridPrecisionLatency;
import io.edgenpu.npu.quant.QuantSrRunner;
import io.edgenpu.npu.quant.SrCalibration;
import io.edgenpu.npu.quant.SrGraph;
import io.edgenpu.npu.quant.SrGraph.Image;
import io.edgenpu.npu.quant.TileCodec;
import io.edgenpu.npu.quant.TileCost;
import io.edgenpu.service.backend.DeviceProgram;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * One SR model in the NPU's integer arithmetic (NAWQ-SR): its graph (luma or RGB), activation
 * ranges calibrated at load on the model's calibration set ({@code calib/}, crops of training
 * images), its hybrid-precision configurations ({@code hpq/eps-*.json}) and the tile codec. {@link
 * #plan} cuts an image into {@link #PATCH}-pixel tiles with a halo of the network's receptive
 * radius (so tiles stitch exactly), picks the fastest configuration whose tolerance fits the
 * request's, and, within the request's emulated-time budget, the hardest tiles (total variation) to
 * enhance: the same configuration with dynamic range estimation on the {@link #DRE_LAYERS} most
 * sensitive layers, charged t_dre ({@link DynamicRangeEstimation}). Each tile is a {@link
 * DeviceProgram} the device scheduler batches with other requests' tiles. Thread-safe (immutable;
 * every plan builds its own runners).
 */
public final class SrEngine {
  /** Name of a tile program's output (its upscaled padded region, FP32 [1, C, h, w]). */
  public static final String TILE_OUTPUT = "tile";

  /** Core size of a tile, low-resolution pixels (the paper's 64). */
  public static final int PATCH = 64;

  /** Layers that estimate their range per enhanced tile: the K most sensitive (K = 3). */
  public static final int DRE_LAYERS = 3;

  /** Side of the square patch the latency model is evaluated on; times scale per pixel from it. */
  private static final int REFERENCE = 64;

  private final SrGraph graph;
  private final Map<String, double[]> ranges;
  private final List<HpqConfig> configs = new ArrayList<>();
  private final Map<HpqConfig, Double> nanosPerPixel = new HashMap<>();
  private final List<Integer> all16;
  private final int scale;
  private final TileCodec codec;
  private final @Nullable DynamicRangeEstimation dre;
  private final double drePerPixel;

  /**
   * @param modelDirectory the repository entry: {@code calib/} (required) and {@code hpq/}
   *     (optional)
   * @param profile the NPU whose cost model times the configurations
   * @throws IOException when the graph or the calibration set cannot be read
   * @throws IllegalArgumentException when the graph is not an SR network of the NPU's integer
   *     operators
   */
  public SrEngine(Path onnxFile, Path modelDirectory, NpuProfile profile) throws IOException {
    this(onnxFile, modelDirectory, profile, PATCH);
  }

  /**
   * An engine with tiles of {@code patch} low-resolution pixels (the served models use {@link
   * #PATCH}).
   */
  public SrEngine(Path onnxFile, Path modelDirectory, NpuProfile profile, int patch)
      throws IOException {
    OnnxModel model = OnnxModel.read(onnxFile);
    this.graph = SrGraph.from(model);
    this.scale = SrCalibration.scale(graph);
    List<HpqSearch.Pair> calibration = SrCalibration.read(modelDirectory, graph.inputChannels());
    this.ranges =
        Map.copyOf(
            SrCalibration.ranges(graph, calibration.stream().map(HpqSearch.Pair::lr).toList()));
    int n = graph.convs().size();
    this.all16 = Collections.nCopies(n, 16);
    configs.add(new HpqConfig("all-A16W8", 0, all16));
    configs.addAll(HpqConfig.readFeasible(modelDirectory, n));
    for (HpqConfig c : configs) { // per-request work stays out of the cost model
      nanosPerPixel.put(
          c,
          HybridPrecisionLatency.nanos(model, graph, c.bits(), profile, REFERENCE)
              / (REFERENCE * REFERENCE));
    }
    this.codec = new TileCodec(patch, graph.receptiveRadius(), scale);
    this.dre = DynamicRangeEstimation.fromSearch(graph, configs, DRE_LAYERS, profile);
    this.drePerPixel = dre == null ? 0 : dre.nanosPerPixel(graph);
  }

  public int scale() {
    return scale;
  }

  /** Image channels the network takes (1: luma, 3: RGB). */
  public int channels() {
    return graph.inputChannels();
  }

  public List<HpqConfig> configs() {
    return Collections.unmodifiableList(configs);
  }

  /**
   * The fastest configuration whose tolerance is within {@code maxDropDb} (all-A16W8 when none is).
   */
  /** Modelled NPU nanoseconds per output pixel of a configuration this engine serves. */
  private double nanosPerPixel(HpqConfig c) {
    Double ns = nanosPerPixel.get(c);
    if (ns == null) {
      throw new IllegalArgumentException(
          "configuration " + c.name() + " is not served by this engine");
    }
    return ns;
  }

  public HpqConfig choose(double maxDropDb) {
    HpqConfig best = configs.get(0);
    for (HpqConfig c : configs) {
      if (c.epsDb() <= maxDropDb && nanosPerPixel(c) < nanosPerPixel(best)) {
        best = c;
      }
    }
    return best;
  }

  /** One image's work: its tiles as device programs, and the stitching of their outputs. */
  public final class Plan {
    private final HpqConfig config;
    private final List<TileCodec.Tile> tiles;
    private final List<DeviceProgram> programs = new ArrayList<>();
    private final int enhanced;
    private final double nanos;
    private final int height;
    private final int width;

    private Plan(Image lr, HpqConfig config, double budgetNanos) {
      this.config = config;
      this.height = lr.height();
      this.width = lr.width();
      this.tiles = codec.tiles(height, width);
      double perPixel = nanosPerPixel(config);
      TileCost cost =
          new TileCost(perPixel, perPixel + drePerPixel, dre == null ? 0 : dre.nanosPerTile());
      Set<TileCodec.Tile> chosen =
          budgetNanos > 0 && dre != null
              ? TileCodec.chooseEnhanced(lr, tiles, cost, budgetNanos)
              : Set.of();
      QuantSrRunner fixed = new QuantSrRunner(graph, ranges, config.bits());
      UnaryOperator<Image> enhancedRun =
          dre == null
              ? fixed::run
              : new QuantSrRunner(graph, ranges, config.bits(), dre.layers())::run;
      for (TileCodec.Tile t : tiles) {
        boolean e = chosen.contains(t);
        programs.add(
            new TileProgram(
                TileCodec.crop(lr, t),
                e ? enhancedRun : fixed::run,
                cost.nanos(t, e),
                e ? "dre" : precision(config.bits())));
      }
      this.enhanced = chosen.size();
      this.nanos = TileCodec.nanos(tiles, chosen, cost);
    }

    public HpqConfig config() {
      return config;
    }

    /** One program per tile, row by row. */
    public List<DeviceProgram> programs() {
      return Collections.unmodifiableList(programs);
    }

    public int enhancedTiles() {
      return enhanced;
    }

    /** Emulated NPU time of all the tiles, microseconds. */
    public double npuMicros() {
      return nanos / 1e3;
    }

    /**
     * The upscaled image from the programs' outputs ({@link #TILE_OUTPUT}), in {@link #programs()}
     * order.
     */
    public Image stitch(List<Map<String, Tensor>> outputs) {
      List<Image> up = new ArrayList<>(outputs.size());
      for (Map<String, Tensor> o : outputs) {
        Tensor t = Objects.requireNonNull(o.get(TILE_OUTPUT), TILE_OUTPUT);
        up.add(new Image(t.toFloatArray(), (int) t.dim(1), (int) t.dim(2), (int) t.dim(3)));
      }
      return codec.stitch(tiles, up, height, width);
    }
  }

  /**
   * Plans the upscaling of an image ({@link #channels()} planes in [0, 1]).
   *
   * @param maxDropDb tolerated PSNR drop vs FP32 (selects the static configuration)
   * @param budgetMicros emulated NPU time allowed (extra time enhances the hardest tiles); <= 0:
   *     none
   */
  public Plan plan(Image lr, double maxDropDb, double budgetMicros) {
    return new Plan(lr, choose(maxDropDb), budgetMicros > 0 ? budgetMicros * 1e3 : 0);
  }

  /**
   * Runs a plan here, tile after tile (for tools and tests; the server runs the programs on its
   * device).
   */
  public static Image runHere(Plan plan) {
    List<Map<String, Tensor>> outputs = new ArrayList<>();
    for (DeviceProgram p : plan.programs()) {
      outputs.add(p.run());
    }
    return plan.stitch(outputs);
  }

  /**
   * One tile: its padded low-resolution region, the configuration to run it in and its emulated
   * time.
   */
  private static String precision(List<Integer> bits) {
    return bits.stream().allMatch(b -> b == 8)
        ? "a8w8"
        : bits.stream().allMatch(b -> b == 16) ? "a16w8" : "hybrid";
  }

  private record TileProgram(
      Image region, UnaryOperator<Image> runner, double modelledNanos, String precision)
      implements DeviceProgram {
    @Override
    public Map<String, Tensor> run() {
      Image up = runner.apply(region);
      return Map.of(
          TILE_OUTPUT,
          Tensor.ofFloats(new long[] {1, up.channels(), up.height(), up.width()}, up.data()));
    }
  }
}
