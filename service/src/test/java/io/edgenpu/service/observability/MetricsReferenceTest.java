package io.edgenpu.service.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.service.metrics.MetricNames;
import io.edgenpu.service.testing.TestModels;
import io.edgenpu.service.testing.ToyServerTestBase;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/**
 * docs/metrics.md is the metrics API's reference: every name declared in {@link MetricNames} is on
 * the page and nothing else is; after some load (successes, exits, a deadline failure), every
 * metric family on the page is emitted at /actuator/prometheus and every emitted {@code edgenpu_}
 * family is on the page.
 */
class MetricsReferenceTest extends ToyServerTestBase {
  private static final Path PAGE = Path.of("..", "docs", "metrics.md");

  /** A table row: | `prometheus_family` | `micrometer.name` | type | ... */
  private static final Pattern ROW =
      Pattern.compile(
          "^\\| `(edgenpu_[a-z0-9_]+)` \\| `(edgenpu\\.[a-z0-9.]+)` \\|", Pattern.MULTILINE);

  @Test
  void pageListsExactlyTheDeclaredNames() throws Exception {
    Set<String> declared = new TreeSet<>();
    for (Field f : MetricNames.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers())
          && f.getType() == String.class
          && !f.getName().startsWith("TAG_")
          && !f.getName().equals("PREFIX")) {
        declared.add((String) f.get(null));
      }
    }
    Set<String> documented = new TreeSet<>();
    Matcher m = ROW.matcher(Files.readString(PAGE));
    while (m.find()) {
      documented.add(m.group(2));
    }
    assertThat(documented)
        .as("Micrometer names on docs/metrics.md vs MetricNames")
        .isEqualTo(declared);
  }

  @Test
  void everyDocumentedFamilyIsEmittedUnderLoadAndNothingUndocumented() throws Exception {
    StringBuilder d = new StringBuilder();
    for (int i = 0; i < TestModels.EE_WIDTH; i++) {
      d.append(i == 0 ? "" : ",").append(i == 0 ? 20 : 0);
    }
    String ee =
        "{\"parameters\":{\"timeout\":5000000},\"inputs\":[{\"name\":\"x\",\"shape\":[2,"
            + TestModels.EE_WIDTH
            + "],\"datatype\":\"FP32\",\"data\":["
            + d
            + ","
            + d.toString().replaceFirst("^20", "0")
            + "]}]}";
    for (int i = 0; i < 3; i++) {
      http.post()
          .uri("/v2/models/ee-toy/infer")
          .contentType(MediaType.APPLICATION_JSON)
          .bodyValue(ee)
          .exchange()
          .expectStatus()
          .isOk();
    }
    String late =
        "{\"parameters\":{\"timeout\":1},\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}";
    http.post()
        .uri("/v2/models/affine/infer")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(late)
        .exchange()
        .expectStatus()
        .isEqualTo(504);

    String scrape =
        http.get()
            .uri("/actuator/prometheus")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();
    Set<String> emitted = new TreeSet<>();
    Matcher t = Pattern.compile("^# TYPE (edgenpu_[a-z0-9_]+) ", Pattern.MULTILINE).matcher(scrape);
    while (t.find()) {
      emitted.add(t.group(1));
    }
    Set<String> documented = new TreeSet<>();
    Matcher m = ROW.matcher(Files.readString(PAGE));
    while (m.find()) {
      documented.add(m.group(1));
    }
    Set<String> emittedBase = new TreeSet<>();
    for (String family : emitted) {
      boolean isMaxOfDocumented =
          family.endsWith("_max") && documented.contains(family.substring(0, family.length() - 4));
      emittedBase.add(isMaxOfDocumented ? family.substring(0, family.length() - 4) : family);
    }
    assertThat(emittedBase)
        .as("edgenpu_ families emitted (x_max folded into x) vs documented")
        .isEqualTo(documented);
  }
}
