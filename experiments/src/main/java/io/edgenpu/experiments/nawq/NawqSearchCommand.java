package io.edgenpu.experiments.nawq;

import io.edgenpu.experiments.options.NpuProfileOption;
import io.edgenpu.experiments.options.RepositoryOption;
import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.quant.HpqSearch;
import io.edgenpu.npu.quant.SrCalibration;
import io.edgenpu.npu.quant.SrGraph;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code nawq-search}: the offline hybrid-precision search (docs/papers/nawq-sr.md) of an SR model
 * of the repository, for one or more PSNR tolerances, writing one JSON configuration per tolerance
 * beside the model ({@code <model>/hpq/eps-<eps>.json}). Calibration: the model's {@code calib/}
 * set (crops of the training images; {@link SrCalibration}), never the held-out images.
 */
@Command(
    name = "nawq-search",
    mixinStandardHelpOptions = true,
    description =
        "Per-layer 8/16-bit activation precision of an SR model under a PSNR tolerance (vs FP32), minimising emulated NPU latency.")
public final class NawqSearchCommand implements Callable<Integer> {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Mixin RepositoryOption repository;

  @Option(
      names = "--model",
      defaultValue = "sr-x2-nawq",
      description = "NAWQ-SR model (default: ${DEFAULT-VALUE})")
  String model;

  @Option(
      names = "--eps",
      split = ",",
      defaultValue = "0.02,0.03,0.10",
      description = "PSNR tolerances in dB (default: ${DEFAULT-VALUE})")
  List<Double> eps;

  /**
   * Side of the square patch the latency model is evaluated at (the codec's tiles scale from it per
   * pixel).
   */
  static final int REFERENCE = 64;

  @Mixin NpuProfileOption profile;

  @Override
  public Integer call() throws Exception {
    Path dir = repository.resolve(model);
    OnnxModel onnx = OnnxModel.read(dir.resolve("1").resolve("model.onnx"));
    SrGraph graph = SrGraph.from(onnx);
    List<HpqSearch.Pair> pairs = SrCalibration.read(dir, graph.inputChannels());
    int scale = SrCalibration.scale(graph);
    HpqSearch search = new HpqSearch(onnx, pairs, profile.resolve(), REFERENCE, scale);
    String calibration =
        String.format(
            Locale.ROOT,
            "calib/: %d crops of the training images, %dx%d",
            pairs.size(),
            pairs.get(0).lr().width(),
            pairs.get(0).lr().height());
    Files.createDirectories(dir.resolve("hpq"));
    for (double e : eps) {
      System.err.printf(Locale.ROOT, "searching %s at eps %.2f dB ...%n", model, e);
      HpqSearch.Result r = search.search(e, n -> System.err.print("."));
      System.err.println();
      Path out = dir.resolve("hpq").resolve(String.format(Locale.ROOT, "eps-%.2f.json", e));
      Files.writeString(out, json(search.graph(), search, r, e, scale, calibration));
      System.out.printf(
          Locale.ROOT,
          "%s eps %.2f: %s bits %s, PSNR %.3f dB (FP32 %.3f), %.1f us -> %s%n",
          model,
          e,
          r.feasible() ? "feasible," : "INFEASIBLE (all-A16W8 misses it),",
          r.bits(),
          r.psnr(),
          r.psnrFp32(),
          r.nanos() / 1e3,
          out);
    }
    return 0;
  }

  /**
   * The configuration file: rounded like the figures it reports (bits exact, ranges to 1e-6, dB to
   * 1e-4).
   */
  private String json(
      SrGraph graph,
      HpqSearch search,
      HpqSearch.Result r,
      double e,
      int scale,
      String calibration) {
    ObjectNode root =
        JSON.createObjectNode()
            .put("model", model)
            .put("scale", scale)
            .put("eps_db", round(e, 2))
            .put("feasible", r.feasible())
            .put("profile", profile.name())
            .put("predicted_us", round(r.nanos() / 1e3, 2))
            .put("reference_size", REFERENCE)
            .put("psnr_cal", round(r.psnr(), 4))
            .put("psnr_fp32_cal", round(r.psnrFp32(), 4))
            .put("calibration", calibration);
    ArrayNode layers = root.putArray("layers");
    List<SrGraph.ConvOp> convs = graph.convs();
    for (int i = 0; i < convs.size(); i++) {
      SrGraph.ConvOp c = convs.get(i);
      double[] range = Objects.requireNonNull(search.ranges().get(c.output()), c.output());
      layers
          .addObject()
          .put("name", c.name())
          .put("act_bits", r.bits().get(i))
          .put("w_bits", 8)
          .put("act_min", round(range[0], 6))
          .put("act_max", round(range[1], 6))
          .put("sensitivity_db", round(r.sensitivity()[i], 4));
    }
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
  }

  private static double round(double v, int digits) {
    return BigDecimal.valueOf(v).setScale(digits, RoundingMode.HALF_EVEN).doubleValue();
  }
}
