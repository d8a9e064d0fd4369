package io.edgenpu.experiments.npu;

import io.edgenpu.experiments.Charts;
import io.edgenpu.experiments.RepositoryModel;
import io.edgenpu.experiments.options.OutputFolderOption;
import io.edgenpu.experiments.options.RepositoryOption;
import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.profile.NpuProfiles;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code npu-sweep}: the design-space sweep of docs/papers/fluid-batching.md, as a table and a
 * chart.
 */
@Command(
    name = "npu-sweep",
    mixinStandardHelpOptions = true,
    description =
        "Sweep MAC budgets, tile shapes, stacking sets and fluid batching; score by mean latency under a batch-size histogram.")
public final class NpuSweepCommand implements Callable<Integer> {
  @Mixin RepositoryOption repository;

  @Option(names = "--model", required = true)
  String model;

  @Option(
      names = "--base-profile",
      defaultValue = "fluid-npu",
      description = "clock, bandwidth and costs come from this profile")
  String baseProfile;

  @Option(names = "--budgets", split = ",", defaultValue = "1024,2048,4096")
  int[] budgets;

  @Option(names = "--tile-rows", split = ",", defaultValue = "16,32,64,128,256")
  int[] tileRows;

  @Option(
      names = "--histogram",
      split = ",",
      description = "batch-size probabilities for sizes 1..n (default: uniform over 1..8)")
  double[] histogram;

  @Mixin OutputFolderOption out;

  @Override
  public Integer call() throws Exception {
    RepositoryModel m = RepositoryModel.load(repository.path(), model);
    NpuProfile base = NpuProfiles.resolve(baseProfile);
    double[] h = histogram(histogram);
    List<List<Integer>> stacking =
        List.of(List.of(1), List.of(1, 2), List.of(1, 2, 4), List.of(1, 2, 4, 8));
    List<DesignSweep.Design> designs = DesignSweep.designs(budgets, tileRows, stacking);
    List<DesignSweep.Score> scores = new ArrayList<>();
    int i = 0;
    for (DesignSweep.Design d : designs) {
      scores.add(DesignSweep.score(d, base, m.workload(), h, m.survival()));
      if (++i % 50 == 0) {
        System.out.println("scored " + i + "/" + designs.size() + " designs");
      }
    }
    scores.sort(Comparator.comparingDouble(DesignSweep.Score::meanBatchLatencyUs));
    out.create();
    Files.writeString(out.resolve("sweep.csv"), DesignSweep.csv(scores));
    // Chart: best design per (budget, stacking set, FB) as latency vs MAC budget.
    Map<String, Map<Integer, Double>> best = new LinkedHashMap<>();
    for (DesignSweep.Score s : scores) {
      String key = "K=" + s.design().stacking() + (s.design().fluid() ? " + FB" : "");
      best.computeIfAbsent(key, k -> new TreeMap<>())
          .merge(s.design().macs(), s.meanBatchLatencyUs(), Math::min);
    }
    List<Charts.Series> series = new ArrayList<>();
    for (Map.Entry<String, Map<Integer, Double>> e : best.entrySet()) {
      double[] x = e.getValue().keySet().stream().mapToDouble(Integer::doubleValue).toArray();
      double[] y = e.getValue().values().stream().mapToDouble(Double::doubleValue).toArray();
      series.add(new Charts.Series(e.getKey(), x, y));
    }
    Charts.lines(
        out.resolve("sweep.png"),
        "Design space of " + model + ": best mean batch latency per MAC budget",
        "MACs per cycle",
        "mean batch latency (us)",
        series,
        false,
        false);
    System.out.println(
        "best: "
            + scores.get(0).design().label()
            + " "
            + String.format("%.2f us", scores.get(0).meanBatchLatencyUs()));
    System.out.println(
        "wrote "
            + out.resolve("sweep.csv")
            + " and "
            + out.resolve("sweep.png")
            + " ("
            + scores.size()
            + " designs)");
    return 0;
  }

  static double[] histogram(double[] given) {
    double[] p = given == null ? new double[] {1, 1, 1, 1, 1, 1, 1, 1} : given;
    double[] h = new double[p.length + 1];
    double sum = 0;
    for (double v : p) {
      sum += v;
    }
    for (int i = 0; i < p.length; i++) {
      h[i + 1] = p[i] / sum;
    }
    return h;
  }
}
