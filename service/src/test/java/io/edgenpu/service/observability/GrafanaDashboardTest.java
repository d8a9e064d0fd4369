package io.edgenpu.service.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The shipped Grafana dashboard only queries metrics the service documents (and so emits). */
class GrafanaDashboardTest {
  private static final Path DASHBOARD =
      Path.of("..", "helm", "edgenpu", "dashboards", "edgenpu-serving.json");
  private static final Path PAGE = Path.of("..", "docs", "metrics.md");

  @Test
  void everyQueryUsesDocumentedFamilies() throws Exception {
    Set<String> documented = new HashSet<>();
    Matcher d =
        Pattern.compile("^\\| `(edgenpu_[a-z0-9_]+)` \\|", Pattern.MULTILINE)
            .matcher(Files.readString(PAGE));
    while (d.find()) {
      documented.add(d.group(1));
    }
    JsonNode dash = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
    assertThat(dash.get("panels").size()).isGreaterThanOrEqualTo(12);
    Set<String> titles = new HashSet<>();
    int queries = 0;
    for (JsonNode panel : dash.get("panels")) {
      assertThat(titles.add(panel.get("title").asString()))
          .as("unique title " + panel.get("title"))
          .isTrue();
      assertThat(panel.get("gridPos")).isNotNull();
      for (JsonNode target : panel.get("targets")) {
        Matcher m = Pattern.compile("edgenpu_[a-z0-9_]+").matcher(target.get("expr").asString());
        while (m.find()) {
          String family = m.group().replaceAll("_(bucket|sum|count)$", "");
          assertThat(documented)
              .as("metric in '" + panel.get("title").asString() + "'")
              .contains(family);
          queries++;
        }
      }
    }
    assertThat(queries).isGreaterThanOrEqualTo(15);
  }
}
