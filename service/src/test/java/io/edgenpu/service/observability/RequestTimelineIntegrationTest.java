package io.edgenpu.service.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.service.testing.TestModels;
import io.edgenpu.service.testing.ToyServerTestBase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The per-request timeline ({@code "parameters": {"timeline": true}}) on a real server. */
class RequestTimelineIntegrationTest extends ToyServerTestBase {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private JsonNode infer(String parameters, int status) {
    StringBuilder d = new StringBuilder();
    for (int i = 0; i < 2 * TestModels.EE_WIDTH; i++) {
      d.append(i == 0 ? "" : ",")
          .append(i == 0 ? 20 : 0); // row 0 exits at stage 0, row 1 runs to the end
    }
    String body =
        "{\"id\":\"t\",\"parameters\":"
            + parameters
            + ",\"inputs\":[{\"name\":\"x\",\"shape\":[2,"
            + TestModels.EE_WIDTH
            + "],\"datatype\":\"FP32\",\"data\":["
            + d
            + "]}]}";
    byte[] out =
        http.post()
            .uri("/v2/models/ee-toy/infer")
            .contentType(MediaType.APPLICATION_JSON)
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
  void timelineTracesArrivalQueueStagesExitsAndResponseInOrder() {
    JsonNode r = infer("{\"timeline\":true}", 200);
    JsonNode events = JSON.readTree(r.get("parameters").get("timeline").asString());
    List<String> kinds = new ArrayList<>();
    double last = -1;
    for (JsonNode e : events) {
      kinds.add(e.get("event").asString());
      double t = e.get("t_us").asDouble();
      assertThat(t).as("time of " + e).isGreaterThanOrEqualTo(last);
      last = t;
    }
    assertThat(kinds.get(0)).isEqualTo("arrival");
    assertThat(kinds.get(1)).isEqualTo("queued");
    assertThat(kinds.get(kinds.size() - 1)).isEqualTo("response");
    int exitStageOfRow0 = -1;
    int exitStageOfRow1 = -1;
    int stageStartsOfRow1 = 0;
    for (JsonNode e : events) {
      String kind = e.get("event").asString();
      if (kind.equals("exit")) {
        if (e.get("sample").asInt() == 0) {
          exitStageOfRow0 = e.get("stage").asInt();
        } else {
          exitStageOfRow1 = e.get("stage").asInt();
        }
      }
      if (kind.equals("stage_start") && e.get("sample").asInt() == 1) {
        stageStartsOfRow1++;
        assertThat(e.get("batch").asInt()).isBetween(1, 8);
      }
      if (kind.equals("stage_end")) {
        assertThat(e.get("device_us").asDouble()).isPositive();
        assertThat(e.get("ok").asBoolean()).isTrue();
      }
    }
    int[] exitIndex = {
      r.get("outputs").get(1).get("data").get(0).asInt(),
      r.get("outputs").get(1).get("data").get(1).asInt()
    };
    assertThat(exitStageOfRow0).isEqualTo(exitIndex[0]).isZero();
    assertThat(exitStageOfRow1).isEqualTo(exitIndex[1]).isEqualTo(3);
    assertThat(stageStartsOfRow1).isEqualTo(4);
  }

  @Test
  void noTimelineUnlessAskedAndBadValuesAreRejected() {
    assertThat(infer("{}", 200).has("parameters")).isFalse();
    assertThat(infer("{\"timeline\":\"yes\"}", 400).get("error").asString())
        .contains("'timeline' must be a boolean");
  }
}
