package io.edgenpu.service.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.service.testing.ToyServerTestBase;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The emulated NPU's per-layer trace of a model ({@code GET /v2/models/{m}/npu?batch=B}). */
class NpuTraceIntegrationTest extends ToyServerTestBase {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private JsonNode get(String uri, int status) {
    return JSON.readTree(
        http.get()
            .uri(uri)
            .exchange()
            .expectStatus()
            .isEqualTo(status)
            .expectBody()
            .returnResult()
            .getResponseBody());
  }

  @Test
  void tracesEveryLayerOfEveryStageWithItsLayout() {
    JsonNode one = get("/v2/models/ee-toy/npu", 200);
    JsonNode four = get("/v2/models/ee-toy/versions/1/npu?batch=4", 200);
    assertThat(one.get("device").asString()).isEqualTo("npu");
    assertThat(one.get("batch").asInt()).isEqualTo(1);
    assertThat(four.get("batch").asInt()).isEqualTo(4);
    assertThat(one.get("stages")).hasSize(4);
    for (int s = 0; s < 4; s++) {
      JsonNode stage = one.get("stages").get(s);
      assertThat(stage.get("layers").size()).isPositive();
      double slowestLayer = 0;
      for (JsonNode layer : stage.get("layers")) {
        assertThat(layer.get("name").asString()).isNotEmpty();
        assertThat(layer.get("latency_us").asDouble()).isNotNegative();
        slowestLayer = Math.max(slowestLayer, layer.get("latency_us").asDouble());
      }
      assertThat(stage.get("latency_us").asDouble())
          .isPositive()
          .isGreaterThanOrEqualTo(slowestLayer);
      assertThat(four.get("stages").get(s).get("latency_us").asDouble())
          .isGreaterThanOrEqualTo(stage.get("latency_us").asDouble());
      assertThat(stage.get("stacking").asInt()).isIn(1, 2, 4, 8);
    }
    assertThat(one.get("stages").get(0).get("layers").get(0).get("layout").asString()).isNotEmpty();
  }

  @Test
  void badBatchesAndOtherDevicesAreRejected() {
    assertThat(get("/v2/models/ee-toy/npu?batch=0", 400).get("error").asString())
        .contains("batch must be an integer in 1..");
    assertThat(get("/v2/models/ee-toy/npu?batch=many", 400).get("error").asString())
        .contains("'many'");
    assertThat(get("/v2/models/echo-int/npu", 400).get("error").asString())
        .contains("device 'cpu'");
    assertThat(get("/v2/models/nope/npu", 404).get("error").asString()).contains("nope");
  }
}
