package io.edgenpu.service.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.service.testing.TestModels;
import io.edgenpu.service.testing.ToyServerTestBase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.json.JsonMapper;

/**
 * Overload: an open-loop burst of about 4 s at twice the device's capacity, on {@code slow-slo} (1
 * s SLO, admission control on) and on the same model without admission. With admission, every
 * request gets exactly one answer, the excess is shed at once (429 with Retry-After) rather than
 * served late, at most 5% of admitted requests still miss (504: the prediction is an estimate), at
 * least 95% of those served are within the SLO (server-side) and latency is back to normal after
 * the burst. Without admission the same burst produces deadline misses. Each burst prints a line of
 * figures (docs/admission-and-fairness.md).
 */
class OverloadIntegrationTest extends ToyServerTestBase {
  private static final long SLO_NANOS = 1_000_000_000L;
  private static final String BODY =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,"
          + TestModels.SLOW_WIDTH
          + "],\"datatype\":\"FP32\",\"data\":["
          + "0,".repeat(TestModels.SLOW_WIDTH - 1)
          + "1]}]}";

  record Outcome(int status, long latencyNanos, String retryAfter) {}

  /** What one burst did: client-side statuses and server-side served / within-SLO counts. */
  record Burst(int offered, Map<Integer, Long> byStatus, double served, double withinSlo) {
    long count(int status) {
      return byStatus.getOrDefault(status, 0L);
    }
  }

  @Test
  void withAdmissionABurstAtTwiceCapacityIsShedNotServedLate() {
    WebClient client = client();
    Burst b = burst(client, "slow-slo");
    assertThat(b.count(429)).as("requests shed").isPositive();
    assertThat(b.count(200)).as("requests served").isGreaterThan(b.offered() / 10);
    assertThat((double) b.count(504) / (b.count(200) + b.count(504)))
        .as("admitted requests dropped at their deadline")
        .isLessThanOrEqualTo(0.05);
    assertThat(b.served()).isEqualTo((double) b.count(200));
    assertThat(b.withinSlo() / b.served())
        .as("served requests within the SLO (server-side)")
        .isGreaterThanOrEqualTo(0.95);
    for (int i = 0; i < 5; i++) {
      Outcome after = call(client, "slow-slo").block(Duration.ofSeconds(10));
      assertThat(after.status()).isEqualTo(200);
      assertThat(after.latencyNanos()).isLessThan(SLO_NANOS);
    }
  }

  @Test
  void withoutAdmissionTheSameBurstMissesDeadlines() {
    Burst b = burst(client(), "slow-no-admission");
    assertThat(b.count(429)).as("nothing is shed at arrival").isZero();
    assertThat(b.count(504) + (b.served() - b.withinSlo()))
        .as("requests dropped or served late")
        .isPositive();
  }

  private Burst burst(WebClient client, String model) {
    // Capacity from the emulated NPU's own model: 4 samples per batch-4 pass, times the test's time
    // scale.
    double batch4Micros =
        JsonMapper.builder()
            .build()
            .readTree(
                http.get()
                    .uri("/v2/models/" + model + "/npu?batch=4")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody()
                    .returnResult()
                    .getResponseBody())
            .get("stages")
            .get(0)
            .get("latency_us")
            .asDouble();
    double capacityPerSecond = 4 / (batch4Micros * 1e-6 * 100_000);
    long periodMicros = Math.max(1, Math.round(1e6 / (2 * capacityPerSecond)));
    int count = (int) Math.min(2_000, Math.max(100, Math.round(4.0 * 2 * capacityPerSecond)));
    double metBefore = scrape(model, "edgenpu_slo_total", "result=\"met\"");
    double successBefore = scrape(model, "edgenpu_request_success_total", "");
    List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    Flux.interval(Duration.ofNanos(periodMicros * 1000))
        .take(count)
        .onBackpressureBuffer()
        .flatMap(i -> call(client, model), 4096)
        .doOnNext(outcomes::add)
        .blockLast(Duration.ofMinutes(2));
    assertThat(outcomes).as("one answer per request").hasSize(count);
    Map<Integer, Long> byStatus = new TreeMap<>();
    for (Outcome o : outcomes) {
      assertThat(o.status()).as("status").isIn(200, 429, 504);
      if (o.status() == 429) {
        assertThat(o.retryAfter()).as("Retry-After on a shed request").isNotNull();
      }
      byStatus.merge(o.status(), 1L, Long::sum);
    }
    Burst b =
        new Burst(
            count,
            byStatus,
            scrape(model, "edgenpu_request_success_total", "") - successBefore,
            scrape(model, "edgenpu_slo_total", "result=\"met\"") - metBefore);
    System.err.printf(
        "overload %s: capacity %.0f/s, offered %d at %.0f/s; answers %s; served %.0f, within SLO %.0f%n",
        model, capacityPerSecond, count, 1e6 / periodMicros, byStatus, b.served(), b.withinSlo());
    return b;
  }

  private static WebClient client() {
    return WebClient.builder()
        .clientConnector(
            new ReactorClientHttpConnector(
                HttpClient.create(
                    ConnectionProvider.builder("overload")
                        .maxConnections(256)
                        .pendingAcquireMaxCount(-1)
                        .build())))
        .build();
  }

  private double scrape(String model, String family, String label) {
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
        .filter(
            l ->
                l.startsWith(family + "{")
                    && l.contains("model=\"" + model + "\"")
                    && l.contains(label))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  private Mono<Outcome> call(WebClient client, String model) {
    return Mono.defer(
        () -> {
          long t0 = System.nanoTime();
          return client
              .post()
              .uri("http://127.0.0.1:" + httpPort + "/v2/models/" + model + "/infer")
              .contentType(MediaType.APPLICATION_JSON)
              .bodyValue(BODY)
              .exchangeToMono(
                  r ->
                      r.releaseBody()
                          .thenReturn(
                              new Outcome(
                                  r.statusCode().value(),
                                  System.nanoTime() - t0,
                                  r.headers().asHttpHeaders().getFirst("Retry-After"))));
        });
  }
}
