package io.edgenpu.experiments.fluid;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A small attribution run writes every comparison the report promises, none dropped. */
class FluidAttributionCommandTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void everyBaselineHasItsRowInEveryRegimeAndComparison(@TempDir Path out) throws Exception {
    int exit =
        new CommandLine(new FluidAttributionCommand())
            .execute(
                "--repository",
                ROOT.resolve("models/repository").toString(),
                "--profiles",
                "edge-tpu-class",
                "--requests",
                "300",
                "--warmup",
                "50",
                "--seeds",
                "1",
                "--threads",
                "2",
                "--out",
                out.toString());
    assertThat(exit).isZero();
    List<String> rows = Files.readAllLines(out.resolve("attribution.csv"));
    assertThat(rows.get(0))
        .startsWith(
            "profile,regime,comparison,baseline,avg_latency_ratio,slo_satisfaction_ratio,"
                + "p99_ratio");
    for (String regime : List.of("stable", "overload")) {
      for (String comparison : List.of("scheduler", "combined")) {
        for (String baseline :
            List.of("BL0-FCFS", "BL1a-masked", "BL1b-shrink", "BL2-AIMD", "BL3-Lazy", "best")) {
          String prefix = "edge-tpu-class," + regime + "," + comparison + "," + baseline + ",";
          assertThat(rows).as(prefix).anyMatch(r -> r.startsWith(prefix));
        }
      }
      assertThat(rows).anyMatch(r -> r.startsWith("edge-tpu-class," + regime + ",hardware,"));
    }
    // Ratios are finite numbers (capped where a baseline meets 0 %), never blanks or NaN.
    for (String r : rows.subList(1, rows.size())) {
      String[] f = r.split(",", -1);
      for (int i = 4; i <= 7; i++) {
        assertThat(Double.parseDouble(f[i])).as(r).isFinite().isPositive();
      }
    }
    // The counterfactuals sit beside the scheduler's own runs in the activity table.
    String activity = Files.readString(out.resolve("activity.csv"));
    assertThat(activity).contains(",FB-full,", ",FB-forced-preemption,", ",FB-no-preemption,");
  }
}
