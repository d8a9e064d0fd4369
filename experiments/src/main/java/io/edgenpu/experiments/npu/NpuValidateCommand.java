package io.edgenpu.experiments.npu;

import io.edgenpu.experiments.options.OutputFolderOption;
import io.edgenpu.npu.cost.CostModel;
import io.edgenpu.npu.cost.FluidTable;
import io.edgenpu.npu.cost.LayoutPolicy;
import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.profile.NpuProfiles;
import io.edgenpu.npu.workload.Workload;
import io.edgenpu.npu.workload.WorkloadExtractor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code npu-validate}: the emulated NPU against published figures of real edge NPUs. For every row
 * of the published table, the network's shape-only ONNX graph (models/npu-zoo, built by
 * models/training/npu_zoo.py) becomes a workload, and the profile of that device's class gives its
 * modelled batch-1 and batch-8 throughput; the batching gain (batch-8 / batch-1 throughput) and,
 * where a latency is published, the batch-1 latency are compared.
 */
@Command(
    name = "npu-validate",
    mixinStandardHelpOptions = true,
    description =
        "Emulated vs published batch-1/batch-8 throughput and latency of public networks.")
public final class NpuValidateCommand implements Callable<Integer> {
  @Option(
      names = "--published",
      defaultValue = "docs/results/npu/published.csv",
      description = "published figures (default: ${DEFAULT-VALUE})")
  Path published;

  @Option(
      names = "--zoo",
      defaultValue = "models/npu-zoo",
      description = "shape-only graphs (default: ${DEFAULT-VALUE})")
  Path zoo;

  @Mixin OutputFolderOption out;

  /** The profile of each device class in the published table. */
  static NpuProfile profileFor(String device) {
    return switch (device) {
      case "hailo8" -> NpuProfiles.preset("hailo8-class");
      case "edge-tpu" -> NpuProfiles.preset("edge-tpu-class");
      default -> throw new IllegalArgumentException("no profile for device " + device);
    };
  }

  @Override
  public Integer call() throws Exception {
    List<String> lines = Files.readAllLines(published);
    StringBuilder csv =
        new StringBuilder(
            "model,profile,source,published_batch1_fps,published_batch8_fps,published_gain,"
                + "emulated_batch1_fps,emulated_batch8_fps,emulated_gain,rel_error,"
                + "published_batch1_ms,emulated_batch1_ms,latency_rel_error,weights_mb,weights_resident\n");
    List<Double> gainErrors = new ArrayList<>();
    List<Double> latencyErrors = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      String network = f[0];
      NpuProfile profile = profileFor(f[1]);
      Path graph = zoo.resolve(network + ".onnx");
      OnnxModel onnx = OnnxModel.read(graph);
      Workload w =
          new Workload(
              network,
              List.of(new Workload.Stage("model", WorkloadExtractor.layers(onnx), List.of())));
      FluidTable t = FluidTable.build(new CostModel(profile), w, 8, LayoutPolicy.FLUID);
      double fps1 = 1e9 / t.stageNanos(0, 1);
      double fps8 = 8e9 / t.stageNanos(0, 8);
      double gain = fps8 / fps1;
      double weightsMb = FluidTable.storedWeightBytes(w, new CostModel(profile)) / 1e6;
      String row =
          String.format(
              Locale.ROOT,
              "%s,%s,\"%s\",%s,%s,%s,%.0f,%.0f,%.3f,%s,%s,%.3f,%s,%.2f,%s",
              network,
              profile.name(),
              f[2],
              f[3],
              f[4],
              ratio(f[4], f[3]),
              fps1,
              fps8,
              gain,
              relError(gain, ratio(f[4], f[3]), gainErrors),
              f[5],
              1e3 / fps1,
              relError(1e3 / fps1, f[5], latencyErrors),
              weightsMb,
              t.weightFetchFraction() == 0 ? "yes" : "no");
      csv.append(row).append('\n');
      System.out.println(row);
    }
    out.create();
    Files.writeString(out.resolve("batching-validation.csv"), csv.toString());
    String summary =
        String.format(
            Locale.ROOT,
            "batching gain: median relative error %.1f %% over %d networks (max %.1f %%)%n"
                + "batch-1 latency: median relative error %.1f %% over %d networks (max %.1f %%)%n",
            100 * median(gainErrors),
            gainErrors.size(),
            100 * gainErrors.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN),
            100 * median(latencyErrors),
            latencyErrors.size(),
            100 * latencyErrors.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
    Files.writeString(out.resolve("batching-validation-summary.txt"), summary);
    System.out.print(summary);
    return 0;
  }

  private static String ratio(String num, String den) {
    if (num.isEmpty() || den.isEmpty()) {
      return "";
    }
    return String.format(Locale.ROOT, "%.3f", Double.parseDouble(num) / Double.parseDouble(den));
  }

  /**
   * |emulated - published| / published, or "" when nothing is published; collected for the median.
   */
  private static String relError(double emulated, String published, List<Double> into) {
    if (published.isEmpty()) {
      return "";
    }
    double p = Double.parseDouble(published);
    double e = Math.abs(emulated - p) / p;
    into.add(e);
    return String.format(Locale.ROOT, "%.3f", e);
  }

  private static double median(List<Double> v) {
    if (v.isEmpty()) {
      return Double.NaN;
    }
    double[] s = v.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
