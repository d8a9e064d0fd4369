package io.edgenpu.service.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgenpu.service.testing.TestModels;
import io.edgenpu.service.testing.ToyServerTestBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The live service runs the same fluid batcher as the simulator: concurrent early-exit requests
 * that arrive while a batch runs catch up and merge into it (counted in the metrics), and every
 * request gets exactly one answer with its own outputs.
 */
class LiveFluidBatchingIntegrationTest extends ToyServerTestBase {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private long stat(String field) {
    JsonNode s =
        JSON.readTree(
            http.get()
                .uri("/v2/models/ee-toy-refill/stats")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(byte[].class)
                .returnResult()
                .getResponseBody());
    return s.get("model_stats").get(0).get(field).longValue();
  }

  /**
   * Sum over the series of a family that carry {@code model="ee-toy-refill"} (labels come in any
   * order).
   */
  private double metric(String family) {
    String body =
        http.get()
            .uri("/actuator/prometheus")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();
    return body.lines()
        .filter(l -> l.startsWith(family + "{") && l.contains("model=\"ee-toy-refill\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void requestsArrivingDuringABatchCatchUpAndMergeAndEachGetsOneAnswer() {
    WebClient client = WebClient.create("http://127.0.0.1:" + httpPort);
    long executionsBefore = stat("execution_count");
    // Other tests of this shared server may use the model too: compare counters against their
    // values now.
    double preemptionsBefore = metric("edgenpu_preemptions_total");
    double mergesBefore = metric("edgenpu_merges_total");
    double exitsBefore = metric("edgenpu_exits_total");
    double successesBefore = metric("edgenpu_request_success_total");
    List<Mono<JsonNode>> calls = new ArrayList<>();
    calls.add(call(client, "first", -1));
    List<JsonNode> answers = Collections.synchronizedList(new ArrayList<>());
    Flux<JsonNode> firstWave = Flux.merge(calls).doOnNext(answers::add);
    var subscription = firstWave.subscribe();
    // Once the first batch is on the device, six more requests arrive while it runs (each stage
    // takes
    // tens of milliseconds here); three of them exit at the first head, three run to the end.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(1))
        .until(() -> stat("execution_count") > executionsBefore);
    List<Mono<JsonNode>> more = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      more.add(call(client, "late" + i, i % 2 == 0 ? i : -1));
    }
    List<JsonNode> late = Flux.merge(more).collectList().block(Duration.ofSeconds(30));
    await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() == 1);
    subscription.dispose();
    answers.addAll(late);
    assertThat(answers).hasSize(7);
    assertThat(answers.stream().map(a -> a.get("id").stringValue()).distinct().count())
        .isEqualTo(7);
    for (JsonNode a : answers) {
      String id = a.get("id").stringValue();
      int exit = a.get("outputs").get(1).get("data").get(0).intValue();
      boolean easy = id.startsWith("late") && Integer.parseInt(id.substring(4)) % 2 == 0;
      assertThat(exit).as(id).isEqualTo(easy ? 0 : 3);
    }
    assertThat(metric("edgenpu_preemptions_total")).isGreaterThan(preemptionsBefore);
    assertThat(metric("edgenpu_merges_total")).isGreaterThan(mergesBefore);
    assertThat(metric("edgenpu_exits_total") - exitsBefore).isEqualTo(7);
    assertThat(metric("edgenpu_request_success_total") - successesBefore).isEqualTo(7);
  }

  /** hot >= 0: one feature at 20 (exits at once); hot < 0: all zeros (runs to the end). */
  private static Mono<JsonNode> call(WebClient client, String id, int hot) {
    StringBuilder d = new StringBuilder();
    for (int i = 0; i < TestModels.EE_WIDTH; i++) {
      d.append(i == 0 ? "" : ",").append(i == hot ? "20" : "0");
    }
    String body =
        "{\"id\":\""
            + id
            + "\",\"inputs\":[{\"name\":\"x\",\"shape\":[1,"
            + TestModels.EE_WIDTH
            + "],\"datatype\":\"FP32\",\"data\":["
            + d
            + "]}]}";
    return client
        .post()
        .uri("/v2/models/ee-toy-refill/infer")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(body)
        .retrieve()
        .bodyToMono(byte[].class)
        .publishOn(Schedulers.boundedElastic())
        .map(JSON::readTree);
  }
}
