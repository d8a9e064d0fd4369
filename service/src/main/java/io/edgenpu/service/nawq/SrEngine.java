package io.edgenpu.service.nawq;

import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.quant.HybridPrecisionLatency;
import io.edgenpu.npu.quant.QuantSrRunner;
import io.edgenpu.npu.quant.SrGraph;
import io.edgenpu.npu.quant.SrGraph.Image;
import io.edgenpu.npu.quant.TileCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One SR model in the NPU's integer arithmetic: its graph, activation ranges calibrated at load on the
 * model's evaluation images, its hybrid-precision configurations ({@code hpq/eps-*.json}), and the tile codec.
 * {@link #upscale} chooses the fastest configuration whose tolerance fits the request's, and enhances the
 * hardest tiles (dynamic range estimation at 16 bits) while the emulated time fits the request's budget.
 * Thread-safe (immutable; every run builds its own state). Blocking: call off the event loops.
 */
public final class SrEngine {
  /** A configuration: its tolerance (dB vs FP32), wordlength per convolution, and name. */
  public record Config(String name, double epsDb, List<Integer> bits) {}

  /** An upscaled image and how it was made. */
  public record Result(Image image, Config config, int tiles, int enhancedTiles, double npuMicros) {}

  private static final Pattern BITS = Pattern.compile("\"act_bits\":\\s*(\\d+)");
  private static final Pattern EPS = Pattern.compile("\"eps_db\":\\s*([0-9.]+)");
  private static final Pattern FEASIBLE = Pattern.compile("\"feasible\":\\s*true");
  static final int PATCH = 32;

  private final SrGraph graph;
  private final Map<String, double[]> ranges = new HashMap<>();
  private final List<Config> configs = new ArrayList<>();
  private final Map<Config, Double> nanosByConfig = new HashMap<>();
  private final double enhancedNanosPerPixel;
  private final int scale;
  /** Side of the square patch the latency model is evaluated on; times scale per pixel from it. */
  private static final int REFERENCE = 64;

  public SrEngine(Path onnxFile, Path modelDirectory, int scale, NpuProfile profile) throws IOException {
    OnnxModel model = OnnxModel.read(onnxFile);
    this.graph = SrGraph.from(model);
    this.scale = scale;
    int n = graph.convs().size();
    Path eval = modelDirectory.resolve("eval");
    try (Stream<Path> files = Files.list(eval)) {
      for (Path lr : files.filter(p -> p.getFileName().toString().endsWith("-lr.png")).sorted().toList()) {
        graph.runFloat(io.edgenpu.npu.quant.LumaImages.read(lr, 64), ranges);
      }
    }
    configs.add(new Config("all-A16W8", 0, Collections.nCopies(n, 16)));
    Path hpq = modelDirectory.resolve("hpq");
    if (Files.isDirectory(hpq)) {
      try (Stream<Path> files = Files.list(hpq)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
          String json = Files.readString(f);
          List<Integer> bits = new ArrayList<>();
          Matcher m = BITS.matcher(json);
          while (m.find()) {
            bits.add(Integer.parseInt(m.group(1)));
          }
          Matcher e = EPS.matcher(json);
          if (FEASIBLE.matcher(json).find() && e.find() && bits.size() == n) {
            configs.add(new Config(f.getFileName().toString().replace(".json", ""), Double.parseDouble(e.group(1)), bits));
          }
        }
      }
    }
    for (Config c : configs) {   // per-request work stays out of the cost model
      nanosByConfig.put(c, HybridPrecisionLatency.nanos(model, graph, c.bits(), profile, REFERENCE));
    }
    this.enhancedNanosPerPixel = nanos(configs.get(0)) / (REFERENCE * REFERENCE);
  }

  public List<Config> configs() {
    return Collections.unmodifiableList(configs);
  }

  /** The fastest configuration whose tolerance is within {@code maxDropDb} (all-A16W8 when none is). */
  public Config choose(double maxDropDb) {
    Config best = configs.get(0);
    double bestNanos = nanos(best);
    for (Config c : configs) {
      double t = nanos(c);
      if (c.epsDb() <= maxDropDb && t < bestNanos) {
        best = c;
        bestNanos = t;
      }
    }
    return best;
  }

  /** Emulated nanoseconds of a {@code REFERENCE} x {@code REFERENCE} patch in this configuration. */
  private double nanos(Config c) {
    return nanosByConfig.get(c);
  }

  /**
   * Upscales a luma image.
   *
   * @param maxDropDb tolerated PSNR drop vs FP32 (selects the static configuration)
   * @param budgetMicros emulated NPU time allowed (extra time enhances the hardest tiles); <= 0: none
   */
  public Result upscale(Image lr, double maxDropDb, double budgetMicros) {
    Config config = choose(maxDropDb);
    QuantSrRunner fixed = new QuantSrRunner(graph, ranges, config.bits());
    List<Integer> all16 = Collections.nCopies(graph.convs().size(), 16);
    double[] perPixel = {nanos(config) / (REFERENCE * REFERENCE), enhancedNanosPerPixel};
    TileCodec codec = new TileCodec(PATCH, 6, scale);
    TileCodec.Outcome o = codec.run(lr, fixed::run, x -> QuantSrRunner.runWithDynamicRanges(graph, x, all16), perPixel,
        budgetMicros > 0 ? budgetMicros * 1e3 : 0);
    return new Result(o.image(), config, o.tiles(), o.enhanced(), o.nanos() / 1e3);
  }
}
