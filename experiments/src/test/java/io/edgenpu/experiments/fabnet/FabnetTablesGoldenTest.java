package io.edgenpu.experiments.fabnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden tables: the checked-in deterministic FABNet tables (docs/results/fabnet) are exactly what
 * the formulas and the accelerator model compute today, and they reproduce the spec: every FLOP and
 * parameter reduction equals the paper's to the printed digit, every reference latency within ±1%.
 * Regenerate with {@code bash docs/results/fabnet/command.sh}.
 */
class FabnetTablesGoldenTest {
  private static final Path DIR = Path.of("..", "docs", "results", "fabnet");

  @Test
  void checkedInTablesMatchTheModel() throws Exception {
    assertThat(FabnetTables.flopsAndParamsCsv())
        .isEqualTo(Files.readString(DIR.resolve("flops-params.csv")));
    assertThat(FabnetTables.acceleratorReferenceCsv())
        .isEqualTo(Files.readString(DIR.resolve("accelerator-reference.csv")));
    assertThat(FabnetTables.acceleratorListOpsCsv(List.of(256, 512, 1024, 2048), List.of(1, 8)))
        .isEqualTo(Files.readString(DIR.resolve("accelerator-listops.csv")));
    assertThat(FabnetTables.equalBudgetCsv(FabnetTables.EQUAL_BUDGET_LENGTHS))
        .isEqualTo(Files.readString(DIR.resolve("equal-budget.csv")));
  }

  @Test
  void reductionsEqualThePapersAndReferenceLatenciesAreWithinOnePercent() {
    List<String> rows = FabnetTables.flopsAndParamsCsv().lines().skip(1).toList();
    assertThat(rows).hasSize(5);
    for (String row : rows) {
      String[] c = row.split(",", -1);
      assertThat(c[7]).as("FLOP reduction of " + c[0]).isEqualTo(c[8]);
      assertThat(c[11]).as("parameter reduction of " + c[0]).isEqualTo(c[12]);
    }
    List<String> acc = FabnetTables.acceleratorReferenceCsv().lines().skip(1).toList();
    assertThat(acc).hasSize(20);
    for (String row : acc) {
      assertThat(Math.abs(Double.parseDouble(row.split(",", -1)[5])))
          .as(row)
          .isLessThanOrEqualTo(1.0);
    }
  }
}
