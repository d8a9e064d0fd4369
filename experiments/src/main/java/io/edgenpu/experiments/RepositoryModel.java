package io.edgenpu.experiments;

import io.edgenpu.npu.workload.Workload;
import io.edgenpu.repository.ModelConfig;
import io.edgenpu.repository.ModelConfigParser;
import io.edgenpu.repository.ModelWorkloads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A model of the repository as the experiments see it: its config, its NPU workload and its exit
 * profile.
 */
public record RepositoryModel(ModelConfig config, Workload workload) {
  public static RepositoryModel load(Path repository, String model) throws IOException {
    Path dir = repository.resolve(model);
    ModelConfig config = ModelConfigParser.parse(dir, "npu");
    return new RepositoryModel(
        config, ModelWorkloads.of(config, ModelWorkloads.latestVersion(dir)));
  }

  /**
   * The {@code exit} column of a model's {@code eval/exit-trace.csv}: the exit each held-out sample
   * takes, in the order of the committed evaluation images.
   */
  public static int[] readExitTrace(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    int col = List.of(lines.get(0).split(",", -1)).indexOf("exit");
    if (col < 0) {
      throw new IOException(csv + " has no 'exit' column");
    }
    int[] exits = new int[lines.size() - 1];
    for (int i = 1; i < lines.size(); i++) {
      exits[i - 1] = Integer.parseInt(lines.get(i).split(",", -1)[col]);
    }
    return exits;
  }

  /**
   * Share of samples alive at the start of each stage, from the config's exit prior (all 1 without
   * one).
   */
  public double[] survival() {
    double[] s = new double[workload.stageCount()];
    Arrays.fill(s, 1.0);
    double[] prior = config.exitPrior();
    if (prior == null) {
      return s;
    }
    int exit = 0;
    double alive = 1;
    for (int st = 0; st < s.length; st++) {
      s[st] = alive;
      if (config.stages().get(st).exitGraph() != null) {
        alive = 1 - prior[exit++];
      }
    }
    return s;
  }
}
