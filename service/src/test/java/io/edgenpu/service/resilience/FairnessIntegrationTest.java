package io.edgenpu.service.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.service.testing.TestModels;
import io.edgenpu.service.testing.ToyServerTestBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

/**
 * Fairness over real sockets: on the slow model (batches of 4 every ~74 ms, about 54 requests/s),
 * three quiet devices send 6 requests/s each with a 300 ms deadline. Their SLO attainment (the
 * server's per-device {@code edgenpu_client_slo_total}) is measured alone, then with a noisy device
 * sending 60 requests/s, ten times their share, which alone overloads the model. Weighted fair
 * queueing keeps the quiet devices within 10 points of their unloaded attainment.
 */
class FairnessIntegrationTest extends ToyServerTestBase {
  private static final List<String> QUIET = List.of("lamp", "lock", "thermostat");
  private static final Duration RUN = Duration.ofSeconds(3);

  private static String body(String client) {
    return "{\"parameters\":{\"client_id\":\""
        + client
        + "\",\"timeout\":300000},\"inputs\":[{\"name\":\"x\",\"shape\":[1,"
        + TestModels.SLOW_WIDTH
        + "],\"datatype\":\"FP32\",\"data\":["
        + "0,".repeat(TestModels.SLOW_WIDTH - 1)
        + "0]}]}";
  }

  /**
   * Open-loop sender: {@code perSecond} requests a second for {@link #RUN}; completes when all are
   * answered.
   */
  private static Flux<Integer> send(WebClient client, String device, int perSecond) {
    long count = RUN.toMillis() * perSecond / 1000;
    return Flux.interval(Duration.ofMillis(1000 / perSecond))
        .take(count)
        .flatMap(
            i ->
                client
                    .post()
                    .uri("/v2/models/slow-no-admission/infer")
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(body(device))
                    .exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value())));
  }

  /**
   * met and missed deadlines of the quiet devices so far, from the server's per-device counters.
   */
  private double[] quietSlo() {
    String scrape =
        http.get()
            .uri("/actuator/prometheus")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();
    double[] metMissed = new double[2];
    scrape
        .lines()
        .filter(l -> l.startsWith("edgenpu_client_slo_total{"))
        .filter(l -> QUIET.stream().anyMatch(q -> l.contains("client=\"" + q + "\"")))
        .forEach(
            l ->
                metMissed[l.contains("result=\"met\"") ? 0 : 1] +=
                    Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)));
    return metMissed;
  }

  private double quietAttainment(boolean withNoisyDevice) {
    WebClient client = WebClient.create("http://127.0.0.1:" + httpPort);
    double[] before = quietSlo();
    List<Flux<Integer>> senders = new ArrayList<>();
    QUIET.forEach(q -> senders.add(send(client, q, 6)));
    if (withNoisyDevice) {
      senders.add(send(client, "noisy-camera", 60));
    }
    List<Integer> statuses = Flux.merge(senders).collectList().block(Duration.ofSeconds(60));
    assertThat(statuses).isNotEmpty().allMatch(s -> s == 200 || s == 504 || s == 429);
    double[] after = quietSlo();
    double met = after[0] - before[0];
    double missed = after[1] - before[1];
    assertThat(met + missed)
        .as("quiet requests counted")
        .isEqualTo(QUIET.size() * RUN.toMillis() * 6 / 1000.0);
    return met / (met + missed);
  }

  @Test
  void aNoisyDeviceAtTenTimesItsShareDoesNotStarveTheOthers() {
    double unloaded = quietAttainment(false);
    double loaded = quietAttainment(true);
    System.out.printf(
        "fairness: quiet devices' SLO attainment %.3f alone, %.3f beside a 10x noisy device%n",
        unloaded, loaded);
    assertThat(loaded)
        .as("alone %.3f, beside the noisy device %.3f", unloaded, loaded)
        .isGreaterThanOrEqualTo(unloaded - 0.10);
  }
}
