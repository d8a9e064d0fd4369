package io.edgenpu.experiments.nawq;

import io.edgenpu.experiments.Charts;
import io.edgenpu.experiments.options.NpuProfileOption;
import io.edgenpu.experiments.options.OutputFolderOption;
import io.edgenpu.experiments.options.RepositoryOption;
import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.quant.HpqConfig;
import io.edgenpu.npu.quant.HpqSearch;
import io.edgenpu.npu.quant.HybridPrecisionLatency;
import io.edgenpu.npu.quant.LumaImages;
import io.edgenpu.npu.quant.Psnr;
import io.edgenpu.npu.quant.QuantSrRunner;
import io.edgenpu.npu.quant.SrCalibration;
import io.edgenpu.npu.quant.SrGraph;
import io.edgenpu.npu.quant.SrGraph.Image;
import io.edgenpu.npu.quant.Ssim;
import io.edgenpu.npu.quant.TileCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code nawq-results}: the NAWQ-SR table on held-out images for the repository's SR models: FP32,
 * all-A16W8, all-A8W8, each shipped hybrid-precision configuration and all-A8W8 with the tile codec
 * at a latency budget halfway between no tile and every tile enhanced (dynamic range estimation at
 * 16 bits), and bicubic (from the model card). Calibration and configurations are the {@code
 * sr-x<s>-nawq} entries'; the images are the held-out ones of {@code sr-x<s>/eval} (whole by
 * default). Every PSNR/SSIM is computed on images produced here (the integer ones by the NPU's
 * integer kernels). Writes summary.csv and tradeoff.png.
 */
@Command(
    name = "nawq-results",
    mixinStandardHelpOptions = true,
    description = "NAWQ-SR quality/latency table on held-out images.")
public final class NawqResultsCommand implements Callable<Integer> {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Mixin RepositoryOption repository;

  @Mixin OutputFolderOption out;

  @Option(
      names = "--held-out",
      split = ",",
      defaultValue = "astronaut,chelsea,coffee,china,flower",
      description = "held-out evaluation images (default: ${DEFAULT-VALUE})")
  List<String> heldOut;

  @Option(
      names = "--crop",
      defaultValue = "0",
      description =
          "low-resolution top-left crop of each image; 0 = whole (default: ${DEFAULT-VALUE})")
  int crop;

  @Mixin NpuProfileOption profile;

  @Override
  public Integer call() throws Exception {
    out.create();
    StringBuilder csv =
        new StringBuilder(
            "model,scale,config,eps_db,image,psnr_db,ssim,npu_latency_ms,cpu_ms,enhanced_fraction\n");
    List<Charts.Series> series = new ArrayList<>();
    NpuProfile npu = profile.resolve();
    for (int scale : new int[] {2, 4}) {
      String name = "sr-x" + scale;
      Path dir = repository.resolve(name);
      Path nawq = repository.resolve(name + "-nawq");
      OnnxModel model = OnnxModel.read(nawq.resolve("1").resolve("model.onnx"));
      HpqSearch calibration = new HpqSearch(model, SrCalibration.read(nawq), npu, 64, scale);
      SrGraph graph = calibration.graph();
      int n = graph.convs().size();
      Map<String, List<Integer>> configs = new LinkedHashMap<>();
      Map<String, Double> eps = new LinkedHashMap<>();
      configs.put("all-A16W8", Collections.nCopies(n, 16));
      configs.put("all-A8W8", Collections.nCopies(n, 8));
      for (HpqConfig c : HpqConfig.readFeasible(nawq, n)) {
        configs.put("hpq " + c.name(), c.bits());
        eps.put("hpq " + c.name(), c.epsDb());
      }
      double perPixel16 =
          HybridPrecisionLatency.nanos(model, graph, configs.get("all-A16W8"), npu, 64) / (64 * 64);
      Map<String, double[]> points = new LinkedHashMap<>();
      for (String image : heldOut) {
        Image lr = LumaImages.read(dir.resolve("eval").resolve(image + "-lr.png"), crop);
        Image hr = LumaImages.read(dir.resolve("eval").resolve(image + "-hr.png"), crop * scale);
        double pixels = lr.width() * (double) lr.height();
        long t0 = System.nanoTime();
        Image fp = graph.runFloat(lr, null);
        row(
            csv,
            points,
            name,
            scale,
            "FP32",
            Double.NaN,
            image,
            fp,
            hr,
            Double.NaN,
            (System.nanoTime() - t0) / 1e6,
            0);
        for (Map.Entry<String, List<Integer>> c : configs.entrySet()) {
          QuantSrRunner runner = new QuantSrRunner(graph, calibration.ranges(), c.getValue());
          double perPixel =
              HybridPrecisionLatency.nanos(model, graph, c.getValue(), npu, 64) / (64 * 64);
          t0 = System.nanoTime();
          Image y = runner.run(lr);
          row(
              csv,
              points,
              name,
              scale,
              c.getKey(),
              eps.getOrDefault(c.getKey(), Double.NaN),
              image,
              y,
              hr,
              perPixel * pixels / 1e6,
              (System.nanoTime() - t0) / 1e6,
              0);
          if (c.getKey().startsWith("hpq") || c.getKey().equals("all-A8W8")) {
            TileCodec codec = new TileCodec(32, 6, scale);
            UnaryOperator<Image> enhanced =
                x -> QuantSrRunner.runWithDynamicRanges(graph, x, configs.get("all-A16W8"));
            // Budget: halfway between the codec with no tile enhanced and with every tile enhanced
            // (padded tiles).
            double padded =
                codec.tiles(lr.height(), lr.width()).stream()
                    .mapToDouble(t -> t.pw() * (double) t.ph())
                    .sum();
            double budget = (perPixel + perPixel16) / 2 * padded;
            t0 = System.nanoTime();
            TileCodec.Outcome o =
                codec.run(lr, runner::run, enhanced, new double[] {perPixel, perPixel16}, budget);
            row(
                csv,
                points,
                name,
                scale,
                c.getKey() + " + codec",
                eps.getOrDefault(c.getKey(), Double.NaN),
                image,
                o.image(),
                hr,
                o.nanos() / 1e6,
                (System.nanoTime() - t0) / 1e6,
                o.enhanced() / (double) o.tiles());
          }
          System.err.print(".");
        }
      }
      System.err.println(" " + name);
      // Plotted relative to the model's own FP32 quality and all-A16W8 latency, so both scales
      // share one chart.
      double[] fp32 = Objects.requireNonNull(points.get("FP32"));
      double[] a16 = Objects.requireNonNull(points.get("all-A16W8"));
      double fp32Psnr = fp32[1] / fp32[2];
      double a16Ms = a16[0] / a16[2];
      for (Map.Entry<String, double[]> p : points.entrySet()) {
        double[] v = p.getValue(); // sum latency, sum psnr, count
        series.add(
            new Charts.Series(
                name + " " + p.getKey(),
                new double[] {v[0] / v[2] / a16Ms},
                new double[] {v[1] / v[2] - fp32Psnr}));
      }
      bicubic(csv, dir, name, scale);
    }
    Files.writeString(out.resolve("summary.csv"), csv.toString());
    series.removeIf(s -> Double.isNaN(s.x()[0]));
    Charts.lines(
        out.resolve("tradeoff.png"),
        "NAWQ-SR: quality vs emulated NPU latency (held-out images, mean)",
        "emulated NPU latency / all-A16W8's",
        "PSNR - FP32's (dB, luma)",
        series,
        false,
        true);
    System.out.print(csv);
    return 0;
  }

  private static void row(
      StringBuilder csv,
      Map<String, double[]> points,
      String model,
      int scale,
      String config,
      double eps,
      String image,
      Image y,
      Image hr,
      double npuMs,
      double cpuMs,
      double enhanced) {
    double psnr = Psnr.luma(y, hr, scale);
    double ssim = Ssim.luma(y, hr, scale);
    csv.append(
        String.format(
            Locale.ROOT,
            "%s,%d,%s,%s,%s,%.3f,%.4f,%s,%.1f,%.3f%n",
            model,
            scale,
            config,
            Double.isNaN(eps) ? "" : String.format(Locale.ROOT, "%.2f", eps),
            image,
            psnr,
            ssim,
            Double.isNaN(npuMs) ? "" : String.format(Locale.ROOT, "%.4f", npuMs),
            cpuMs,
            enhanced));
    double[] p = points.computeIfAbsent(config, k -> new double[3]);
    p[0] += Double.isNaN(npuMs) ? Double.NaN : npuMs;
    p[1] += psnr;
    p[2] += 1;
  }

  /**
   * Bicubic rows from the model card (computed when the model was trained, on the whole images).
   */
  private void bicubic(StringBuilder csv, Path dir, String model, int scale) throws IOException {
    JsonNode metrics = JSON.readTree(Files.readString(dir.resolve("eval").resolve("metrics.json")));
    for (String image : heldOut) {
      for (JsonNode row : metrics.path("held_out").values()) {
        if (row.path("image").asString("").endsWith(image)) {
          csv.append(
              String.format(
                  Locale.ROOT,
                  "%s,%d,bicubic (model card; whole image),,%s,%s,%s,,,%n",
                  model,
                  scale,
                  image,
                  row.path("psnr_bicubic").asString(),
                  row.path("ssim_bicubic").asString()));
        }
      }
    }
  }
}
