package io.edgenpu.service.listops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.edgenpu.service.testing.GrpcPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * FABNet and the dense Transformer from the shipped repository, served on the emulated butterfly
 * accelerator: OIP infer with token ids, the text endpoint, its errors, and the device's modelled
 * time. (Same context configuration as the README examples test, so Spring shares the running
 * server.)
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.grpc.server.address=127.0.0.1:0",
      "server.address=127.0.0.1",
      "logging.level.root=WARN",
      "edgenpu.model-repository=../models/repository"
    })
@Import(GrpcPort.class)
class ListOpsServingIntegrationTest {
  static final String EXPRESSION = "[MAX 2 9 [MIN 4 7 ] 0 ]";
  // The shipped vocabulary has no closing bracket (LRA's tokenizer drops it).
  static final long[] EXPRESSION_IDS = {12, 3, 10, 11, 5, 8, 1};
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @LocalServerPort int httpPort;

  WebTestClient http;

  @BeforeEach
  void client() {
    http =
        WebTestClient.bindToServer()
            .baseUrl("http://127.0.0.1:" + httpPort)
            .responseTimeout(Duration.ofSeconds(30))
            .build();
  }

  static String inferBody(long[] ids, int length) {
    StringBuilder data = new StringBuilder();
    for (int i = 0; i < length; i++) {
      data.append(i == 0 ? "" : ",").append(i < ids.length ? ids[i] : 0);
    }
    return "{\"inputs\":[{\"name\":\"tokens\",\"shape\":[1,"
        + length
        + "],\"datatype\":\"INT64\",\"data\":["
        + data
        + "]}]}";
  }

  JsonNode post(String uri, MediaType type, String body, int status) {
    byte[] out =
        http.post()
            .uri(uri)
            .contentType(type)
            .bodyValue(body)
            .exchange()
            .expectStatus()
            .isEqualTo(status)
            .expectBody()
            .returnResult()
            .getResponseBody();
    return JSON.readTree(out);
  }

  @Test
  void textEndpointAgreesWithOipInferOnBothModels() {
    for (String model : List.of("fabnet-listops", "transformer-listops")) {
      JsonNode config =
          JSON.readTree(
              http.get()
                  .uri("/v2/models/" + model + "/config")
                  .exchange()
                  .expectStatus()
                  .isOk()
                  .expectBody()
                  .returnResult()
                  .getResponseBody());
      assertThat(config.get("device").asString()).isEqualTo("butterfly");

      JsonNode oip =
          post(
              "/v2/models/" + model + "/infer",
              MediaType.APPLICATION_JSON,
              inferBody(EXPRESSION_IDS, 256),
              200);
      List<Double> expected = new ArrayList<>();
      oip.get("outputs").get(0).get("data").forEach(v -> expected.add(v.asDouble()));

      JsonNode text =
          post(
              "/v2/models/" + model + "/listops",
              MediaType.APPLICATION_JSON,
              "{\"expression\":\"" + EXPRESSION + "\",\"id\":\"q1\"}",
              200);
      assertThat(text.get("id").asString()).isEqualTo("q1");
      assertThat(text.get("tokens").asInt()).isEqualTo(9);
      double sum = 0;
      int best = 0;
      for (int c = 0; c < 10; c++) {
        double p = text.get("probabilities").get(c).asDouble();
        assertThat(p).as(model + " class " + c).isCloseTo(expected.get(c), within(1e-6));
        sum += p;
        best = p > expected.get(best) ? c : best;
      }
      assertThat(sum).isCloseTo(1.0, within(1e-4));
      assertThat(text.get("value").asInt()).isEqualTo(best);

      JsonNode plain =
          post(
              "/v2/models/" + model + "/versions/1/listops", MediaType.TEXT_PLAIN, EXPRESSION, 200);
      assertThat(plain.get("value").asInt()).isEqualTo(best);
    }
  }

  @Test
  void badExpressionsAreFourHundredsWithTheReason() {
    String uri = "/v2/models/fabnet-listops/listops";
    assertThat(post(uri, MediaType.TEXT_PLAIN, "   ", 400).get("error").asString())
        .contains("empty");
    assertThat(post(uri, MediaType.TEXT_PLAIN, "[MAX 2 x ]", 400).get("error").asString())
        .contains("unknown token 'x' at position 3");
    assertThat(
            post(uri, MediaType.TEXT_PLAIN, "[SM " + "1 ".repeat(256) + "]", 400)
                .get("error")
                .asString())
        .contains("257 tokens; this model takes at most 256");
    assertThat(
            post(uri, MediaType.APPLICATION_JSON, "{\"expr\":\"1\"}", 400).get("error").asString())
        .contains("'expression'");
    assertThat(
            post(uri, MediaType.APPLICATION_JSON, "{\"expression\":", 400).get("error").asString())
        .contains("malformed JSON");
    assertThat(
            post(uri, MediaType.APPLICATION_JSON, "{\"expression\":\"1\",\"client_id\":7}", 400)
                .get("error")
                .asString())
        .contains("'client_id'");
    assertThat(post(uri, MediaType.APPLICATION_XML, "<e/>", 415).get("error").asString())
        .contains("text/plain");
    assertThat(
            post("/v2/models/ee-digits/listops", MediaType.TEXT_PLAIN, "1", 400)
                .get("error")
                .asString())
        .contains("vocab");
    assertThat(
            post("/v2/models/nope/listops", MediaType.TEXT_PLAIN, "1", 404).get("error").asString())
        .contains("nope");
    assertThat(post(uri, MediaType.TEXT_PLAIN, "1 ".repeat(40_000), 413).get("error").asString())
        .contains("limited");
  }

  @Test
  void theButterflyDeviceIsPacedByItsCostModel() {
    post("/v2/models/fabnet-listops/listops", MediaType.TEXT_PLAIN, EXPRESSION, 200);
    String metrics =
        http.get()
            .uri("/actuator/prometheus")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();
    String line =
        metrics
            .lines()
            .filter(
                l -> l.startsWith("edgenpu_npu_modelled_time_seconds_total{device=\"butterfly\"}"))
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("no modelled-time counter for the butterfly device"));
    assertThat(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).isPositive();
  }
}
