package io.edgenpu.experiments.nawq;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.experiments.Charts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A small {@code nawq-results} run (the x4 luma network, one held-out image) writes every row and
 * table it promises, and the Pareto front keeps exactly the undominated points.
 */
class NawqResultsCommandTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void writesEveryConfigurationWithAndWithoutTheCodecAndTheSweeps(@TempDir Path out)
      throws Exception {
    int exit =
        new CommandLine(new NawqResultsCommand())
            .execute(
                "--repository",
                ROOT.resolve("models/repository").toString(),
                "--models",
                "sr-x4",
                "--held-out",
                "chelsea",
                "--out",
                out.toString());
    assertThat(exit).isZero();
    List<String> rows = Files.readAllLines(out.resolve("summary.csv"));
    assertThat(rows.get(0))
        .startsWith(
            "model,scale,config,eps_db,image,psnr_db,ssim,npu_latency_ms,cpu_ms,enhanced_fraction");
    for (String config :
        List.of(
            "FP32",
            "all-A16W8",
            "all-A8W8",
            "all-A8W8 + codec",
            "all-A8W8 + codec (promote)",
            "hpq eps-0.02",
            "hpq eps-0.02 + codec",
            "bicubic (metrics.json)")) {
      assertThat(rows).as(config).anyMatch(r -> r.startsWith("sr-x4,4," + config + ","));
    }
    List<String> sweep = Files.readAllLines(out.resolve("r16-sweep.csv"));
    for (String r16 : List.of("1.5", "2.0", "2.5")) {
      assertThat(sweep).anyMatch(r -> r.startsWith("sr-x4," + r16 + ",all-A8W8,chelsea,"));
      assertThat(sweep).anyMatch(r -> r.startsWith("sr-x4," + r16 + ",all-A8W8 promote,chelsea,"));
    }
    assertThat(Files.readAllLines(out.resolve("tiles.csv"))).hasSize(1 + 2 * 3);
    assertThat(out.resolve("pareto-sr-x4.png")).isNotEmptyFile();
    assertThat(Files.readString(out.resolve("summary-mean.csv"))).contains("sr-x4,4,all-A8W8,");
  }

  @Test
  void paretoFrontKeepsOnlyUndominatedPoints() {
    List<Charts.Series> points =
        List.of(
            point("fast, poor", 1, 30.0),
            point("slow, poor", 3, 29.0),
            point("mid", 2, 31.0),
            point("slowest, best", 4, 32.0));
    Charts.Series front = Tables.front("m", points);
    assertThat(front.x()).containsExactly(1, 2, 4);
    assertThat(front.y()).containsExactly(30.0, 31.0, 32.0);
  }

  private static Charts.Series point(String name, double x, double y) {
    return new Charts.Series(name, new double[] {x}, new double[] {y});
  }
}
