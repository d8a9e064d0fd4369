package io.edgenpu.experiments.npu;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.experiments.RepositoryModel;
import io.edgenpu.npu.cost.LayoutPolicy;
import io.edgenpu.npu.profile.NpuProfiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Golden reports: the checked-in NPU reports of the shipped models (docs/results/npu) are exactly
 * what the cost model computes today. A deliberate change of the model regenerates them with {@code
 * bash docs/results/npu/command.sh} and commits the difference.
 */
class NpuReportGoldenTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @ParameterizedTest(name = "{0} on {1}")
  @CsvSource({
    "ee-digits, fluid-npu",
    "ee-digits, baseline-npu",
    "digits-cnn, fluid-npu",
    "sr-x2, fluid-npu"
  })
  void checkedInReportMatchesTheCostModel(String model, String profile) throws Exception {
    RepositoryModel m = RepositoryModel.load(ROOT.resolve("models/repository"), model);
    NpuReport report =
        new NpuReport(
            m.workload(),
            NpuProfiles.preset(profile),
            m.config().maxBatchSize(),
            LayoutPolicy.FLUID);
    Path dir = ROOT.resolve("docs/results/npu").resolve(model).resolve(profile);
    assertThat(report.stagesCsv())
        .as("stages.csv of %s on %s (regenerate with docs/results/npu/command.sh)", model, profile)
        .isEqualTo(Files.readString(dir.resolve("stages.csv")));
    assertThat(report.layersCsv())
        .as("layers.csv of %s on %s", model, profile)
        .isEqualTo(Files.readString(dir.resolve("layers.csv")));
  }
}
