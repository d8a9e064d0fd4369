package io.edgenpu.service.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgenpu.service.testing.TestModels;
import io.edgenpu.service.testing.ToyServerTestBase;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;

/**
 * A client that goes away while its sample runs (HTTP disconnect in the middle of a four-stage
 * early-exit model, each stage tens of milliseconds here): the sample is dropped at the next stage
 * boundary ({@code edgenpu_dropped_total{phase="running",reason="CANCELLED"}}), never answered as a
 * success, and the device goes on serving.
 */
class RunningCancellationIntegrationTest extends ToyServerTestBase {
  private static final String HARD =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,"
          + TestModels.EE_WIDTH
          + "],\"datatype\":\"FP32\",\"data\":["
          + "0,".repeat(TestModels.EE_WIDTH - 1)
          + "0]}]}";

  /**
   * Sum over the series of a family for model ee-toy whose line contains every one of {@code
   * labels}.
   */
  private double metric(String family, String... labels) {
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
        .filter(l -> l.startsWith(family + "{") && l.contains("model=\"ee-toy\""))
        .filter(l -> Arrays.stream(labels).allMatch(l::contains))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void aDisconnectWhileRunningDropsTheSampleAtTheNextBoundary() {
    double droppedBefore =
        metric("edgenpu_dropped_total", "phase=\"running\"", "reason=\"CANCELLED\"");
    double successBefore = metric("edgenpu_request_success_total");
    double stagesBefore = metric("edgenpu_batch_size_count");
    Disposable call =
        WebClient.create("http://127.0.0.1:" + httpPort)
            .post()
            .uri("/v2/models/ee-toy/infer")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(HARD)
            .retrieve()
            .bodyToMono(String.class)
            .subscribe();
    // Once its first stage has started on the device, the client goes away.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(2))
        .until(() -> metric("edgenpu_batch_size_count") > stagesBefore);
    call.dispose();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                metric("edgenpu_dropped_total", "phase=\"running\"", "reason=\"CANCELLED\"")
                    > droppedBefore);
    assertThat(metric("edgenpu_request_success_total")).isEqualTo(successBefore);
    // Four stages would have run without the cancel; it stopped at a boundary before the last.
    assertThat(metric("edgenpu_batch_size_count") - stagesBefore).isLessThan(4);
    http.post()
        .uri("/v2/models/ee-toy/infer")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(HARD)
        .exchange()
        .expectStatus()
        .isOk();
  }
}
