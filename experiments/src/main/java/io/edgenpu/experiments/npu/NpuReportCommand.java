package io.edgenpu.experiments.npu;

import io.edgenpu.experiments.RepositoryModel;
import io.edgenpu.experiments.options.NpuProfileOption;
import io.edgenpu.experiments.options.RepositoryOption;
import io.edgenpu.npu.cost.LayoutPolicy;
import io.edgenpu.npu.profile.NpuProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code npu-report}: per-layer and per-stage cost of a repository model on an NPU profile, as CSV.
 */
@Command(
    name = "npu-report",
    mixinStandardHelpOptions = true,
    description =
        "Per-layer and per-stage cycles, latency, MAC utilisation and chosen layout for batch sizes 1..B_max.")
public final class NpuReportCommand implements Callable<Integer> {
  @Mixin RepositoryOption repository;

  @Option(names = "--model", required = true, description = "model name in the repository")
  String model;

  @Mixin NpuProfileOption profile;

  @Option(
      names = "--max-batch",
      defaultValue = "0",
      description = "largest batch (default: the model's max-batch-size)")
  int maxBatch;

  @Option(
      names = "--layouts",
      defaultValue = "FLUID",
      description = "layout policy: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
  LayoutPolicy layouts;

  @Option(
      names = "--out",
      description = "folder for layers.csv and stages.csv (default: print the summary only)")
  Path out;

  @Override
  public Integer call() throws Exception {
    RepositoryModel m = RepositoryModel.load(repository.path(), model);
    NpuProfile p = profile.resolve();
    NpuReport report =
        new NpuReport(
            m.workload(), p, maxBatch > 0 ? maxBatch : m.config().maxBatchSize(), layouts);
    System.out.print(report.summary());
    if (out != null) {
      Files.createDirectories(out);
      Files.writeString(out.resolve("layers.csv"), report.layersCsv());
      Files.writeString(out.resolve("stages.csv"), report.stagesCsv());
      System.out.println(
          "wrote " + out.resolve("layers.csv") + " and " + out.resolve("stages.csv"));
    }
    return 0;
  }
}
