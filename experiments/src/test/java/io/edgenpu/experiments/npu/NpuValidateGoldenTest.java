package io.edgenpu.experiments.npu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The checked-in validation against published NPU figures
 * (docs/results/npu/batching-validation.csv) is what the cost model and the committed shape-only
 * graphs give today; a deliberate change of the model regenerates it with {@code bash
 * docs/results/npu/command.sh}.
 */
class NpuValidateGoldenTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void checkedInValidationMatchesTheCostModel(@TempDir Path out) throws Exception {
    int exit =
        new CommandLine(new NpuValidateCommand())
            .execute(
                "--published",
                ROOT.resolve("docs/results/npu/published.csv").toString(),
                "--zoo",
                ROOT.resolve("models/npu-zoo").toString(),
                "--out",
                out.toString());
    assertThat(exit).isZero();
    Path committed = ROOT.resolve("docs/results/npu");
    assertThat(Files.readString(out.resolve("batching-validation.csv")))
        .as("batching-validation.csv (regenerate with docs/results/npu/command.sh)")
        .isEqualTo(Files.readString(committed.resolve("batching-validation.csv")));
    assertThat(Files.readString(out.resolve("batching-validation-summary.txt")))
        .isEqualTo(Files.readString(committed.resolve("batching-validation-summary.txt")));
  }
}
