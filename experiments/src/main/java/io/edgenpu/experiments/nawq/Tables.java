package io.edgenpu.experiments.nawq;

import io.edgenpu.experiments.Charts;
import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.quant.SrGraph.Image;
import io.edgenpu.npu.quant.TileCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The CSV tables of {@code nawq-results} as they are filled: per-image rows (summary.csv, its
 * columns unchanged from earlier rounds plus {@code psnr_y_db} and {@code psnr_channels}), means
 * per network and configuration (summary-mean.csv), the r16 sweep and the tile table.
 */
final class Tables {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String HEADER =
      "model,scale,config,eps_db,image,psnr_db,ssim,npu_latency_ms,cpu_ms,enhanced_fraction,"
          + "psnr_y_db,psnr_channels\n";

  private final StringBuilder summary = new StringBuilder(HEADER);
  private final StringBuilder sweep =
      new StringBuilder(
          "model,r16,config,image,static_ms,static_psnr_db,codec_ms,codec_psnr_db,"
              + "enhanced_fraction,budget_all_a16w8_ms\n");
  private final StringBuilder tiles =
      new StringBuilder(
          "model,lr_height,lr_width,patch,halo,tiles,halo_overhead,all_a8w8_untiled_ms,"
              + "all_a8w8_tiled_ms\n");

  /** model -> config -> {sum npu ms, sum psnr, sum psnr y, count}. */
  private final Map<String, Map<String, double[]>> means = new LinkedHashMap<>();

  private final Map<String, String> channels = new LinkedHashMap<>();

  private final Map<String, Integer> scales = new LinkedHashMap<>();

  String channelsOf(String model) {
    return channels.getOrDefault(model, "Y");
  }

  void row(SrNetworkEval net, SrNetworkEval.Row r) {
    channels.put(net.name, net.channels() == 3 ? "RGB" : "Y");
    scales.put(net.name, net.scale);
    summary.append(
        String.format(
            Locale.ROOT,
            "%s,%d,%s,%s,%s,%.3f,%.4f,%s,%.1f,%.3f,%.3f,%s%n",
            net.name,
            net.scale,
            r.config(),
            Double.isNaN(r.eps()) ? "" : String.format(Locale.ROOT, "%.2f", r.eps()),
            r.image(),
            r.quality()[0],
            r.quality()[2],
            Double.isNaN(r.npuMs()) ? "" : String.format(Locale.ROOT, "%.4f", r.npuMs()),
            r.cpuMs(),
            r.enhancedFraction(),
            r.quality()[1],
            channelsOf(net.name)));
    double[] m =
        means
            .computeIfAbsent(net.name, k -> new LinkedHashMap<>())
            .computeIfAbsent(r.config(), k -> new double[5]);
    m[0] += r.npuMs();
    m[1] += r.quality()[0];
    m[2] += r.quality()[1];
    m[3] += 1;
    m[4] += r.enhancedFraction();
  }

  void sweep(
      SrNetworkEval net,
      double r16,
      String config,
      String image,
      double staticMs,
      double staticPsnr,
      NawqResultsCommand.Codec codec,
      double budgetMs) {
    sweep.append(
        String.format(
            Locale.ROOT,
            "%s,%.1f,%s,%s,%.4f,%.3f,%.4f,%.3f,%.3f,%.4f%n",
            net.name,
            r16,
            config,
            image,
            staticMs,
            staticPsnr,
            codec.ms(),
            codec.quality()[0],
            codec.fraction(),
            budgetMs));
  }

  /** Halo overhead and tiled vs untiled all-A8W8 time, on the evaluation size and a 720p output. */
  void tiles(SrNetworkEval net, NpuProfile npu, int[] patches, Image sample) throws IOException {
    int halo = net.graph.receptiveRadius();
    List<Integer> all8 = net.bits("all-A8W8");
    double perPixel = net.nanosPerPixel(all8, npu);
    int[][] sizes = {{sample.height(), sample.width()}, {720 / net.scale, 1280 / net.scale}};
    for (int[] size : sizes) {
      for (int p : patches) {
        TileCodec codec = new TileCodec(p, halo, net.scale);
        double overhead = codec.haloOverhead(size[0], size[1]);
        double untiled = perPixel * size[0] * size[1] / 1e6;
        tiles.append(
            String.format(
                Locale.ROOT,
                "%s,%d,%d,%d,%d,%d,%.3f,%.4f,%.4f%n",
                net.name,
                size[0],
                size[1],
                p,
                halo,
                codec.tiles(size[0], size[1]).size(),
                overhead,
                untiled,
                untiled * overhead));
      }
    }
  }

  /** Bicubic rows from the entry's metrics.json (written with the model, PIL's bicubic). */
  void bicubic(SrNetworkEval net, Path entry, List<String> heldOut) throws IOException {
    JsonNode metrics =
        JSON.readTree(Files.readString(entry.resolve("eval").resolve("metrics.json")));
    boolean rgb = net.channels() == 3;
    for (String image : heldOut) {
      for (JsonNode r : metrics.path("held_out").values()) {
        if (!r.path("image").asString("").endsWith(image)) {
          continue;
        }
        double psnr = r.path(rgb ? "psnr_rgb_bicubic" : "psnr_bicubic").doubleValue();
        double y = rgb ? r.path("psnr_y_bicubic").doubleValue() : psnr;
        double ssim = r.path(rgb ? "ssim_y_bicubic" : "ssim_bicubic").doubleValue();
        row(
            net,
            new SrNetworkEval.Row(
                "bicubic (metrics.json)",
                Double.NaN,
                image,
                new double[] {psnr, y, ssim},
                Double.NaN,
                Double.NaN,
                0));
      }
    }
  }

  void write(Path dir) throws IOException {
    Files.writeString(dir.resolve("summary.csv"), summary.toString().replace(",NaN,", ",,"));
    Files.writeString(dir.resolve("r16-sweep.csv"), sweep.toString());
    Files.writeString(dir.resolve("tiles.csv"), tiles.toString());
    StringBuilder mean =
        new StringBuilder(
            "model,scale,config,psnr_db,psnr_y_db,psnr_channels,vs_fp32_db,npu_latency_ms,"
                + "vs_all_a16w8,enhanced_fraction\n");
    for (Map.Entry<String, Map<String, double[]>> m : means.entrySet()) {
      double[] fp32 = m.getValue().get("FP32");
      double[] a16 = m.getValue().get("all-A16W8");
      for (Map.Entry<String, double[]> c : m.getValue().entrySet()) {
        double[] v = c.getValue();
        double ms = v[0] / v[3];
        mean.append(
            String.format(
                Locale.ROOT,
                "%s,%d,%s,%.3f,%.3f,%s,%s,%s,%s,%.3f%n",
                m.getKey(),
                scales.get(m.getKey()),
                c.getKey(),
                v[1] / v[3],
                v[2] / v[3],
                channelsOf(m.getKey()),
                fp32 == null ? "" : String.format(Locale.ROOT, "%+.3f", (v[1] - fp32[1]) / v[3]),
                Double.isNaN(ms) ? "" : String.format(Locale.ROOT, "%.4f", ms),
                Double.isNaN(ms) || a16 == null
                    ? ""
                    : String.format(Locale.ROOT, "%.3f", ms / (a16[0] / a16[3])),
                v[4] / v[3]));
      }
    }
    Files.writeString(dir.resolve("summary-mean.csv"), mean.toString());
  }

  /** Mean (latency, PSNR) per configuration of a network that has an emulated latency. */
  List<Charts.Series> paretoPoints(String model) {
    List<Charts.Series> out = new ArrayList<>();
    for (Map.Entry<String, double[]> c : means.getOrDefault(model, Map.of()).entrySet()) {
      double[] v = c.getValue();
      if (!Double.isNaN(v[0])) {
        out.add(
            new Charts.Series(c.getKey(), new double[] {v[0] / v[3]}, new double[] {v[1] / v[3]}));
      }
    }
    return out;
  }

  /** The Pareto front of the points: no other point is both faster and better, by latency. */
  static Charts.Series front(String model, List<Charts.Series> points) {
    List<Charts.Series> sorted = new ArrayList<>(points);
    sorted.sort(Comparator.comparingDouble((Charts.Series s) -> s.x()[0]));
    List<double[]> kept = new ArrayList<>();
    double best = Double.NEGATIVE_INFINITY;
    for (Charts.Series s : sorted) {
      if (s.y()[0] > best) {
        kept.add(new double[] {s.x()[0], s.y()[0]});
        best = s.y()[0];
      }
    }
    if (kept.isEmpty()) {
      kept = Collections.singletonList(new double[] {0, 0});
    }
    return new Charts.Series(
        model + " Pareto front",
        kept.stream().mapToDouble(p -> p[0]).toArray(),
        kept.stream().mapToDouble(p -> p[1]).toArray());
  }
}
