package io.edgenpu.service.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgenpu.service.clients.ClientPolicy;
import io.edgenpu.service.security.StreamPermits;
import io.edgenpu.service.testing.TestModels;
import io.edgenpu.service.testing.ToyServerTestBase;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The WebSocket stream at /v2/stream over a real socket: answers tagged with the request id,
 * per-message errors that leave the stream open, the in-flight window (3 here, from the test base),
 * cancellation of unanswered requests when the socket closes, and the limit on open streams.
 */
class WebSocketStreamIntegrationTest extends ToyServerTestBase {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Autowired ClientPolicy clients;

  @Autowired StreamPermits permits;

  private URI uri() {
    return URI.create("ws://127.0.0.1:" + httpPort + WebSocketConfiguration.PATH);
  }

  static String affine(String id, float v) {
    return "{\"model_name\":\"affine\",\"id\":\""
        + id
        + "\",\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":["
        + v
        + ","
        + v
        + ","
        + v
        + ","
        + v
        + "]}]}";
  }

  static String slow(String id, String client) {
    return "{\"model_name\":\"slow-no-admission\",\"id\":\""
        + id
        + "\",\"parameters\":{\"client_id\":\""
        + client
        + "\"},\"inputs\":[{\"name\":\"x\",\"shape\":[1,"
        + TestModels.SLOW_WIDTH
        + "],\"datatype\":\"FP32\",\"data\":["
        + "0,".repeat(TestModels.SLOW_WIDTH - 1)
        + "0]}]}";
  }

  /** Sends {@code messages}, collects {@code expected} answers (parsed), then closes. */
  private List<JsonNode> exchange(List<String> messages, int expected) {
    List<JsonNode> answers = new CopyOnWriteArrayList<>();
    new ReactorNettyWebSocketClient()
        .execute(
            uri(),
            session ->
                session
                    .send(Flux.fromIterable(messages).map(session::textMessage))
                    .and(
                        session
                            .receive()
                            .map(WebSocketMessage::getPayloadAsText)
                            .take(expected)
                            .doOnNext(t -> answers.add(JSON.readTree(t)))
                            .then()))
        .block(Duration.ofSeconds(30));
    return answers;
  }

  @Test
  void answersCarryTheRequestIdAndBadMessagesAreAnsweredInStream() {
    List<JsonNode> answers =
        exchange(
            List.of(
                affine("a", 1),
                "not json at all",
                affine("b", 2),
                "{\"id\":\"m\",\"inputs\":[]}",
                "{\"model_name\":\"ghost\",\"id\":\"g\",\"inputs\":[{\"name\":\"x\",\"shape\":[1,1],"
                    + "\"datatype\":\"FP32\",\"data\":[1]}]}",
                affine("c", 3)),
            6);
    assertThat(answers).hasSize(6);
    JsonNode a =
        answers.stream()
            .filter(n -> "a".equals(n.path("id").asString("")))
            .findFirst()
            .orElseThrow();
    assertThat(a.get("outputs").get(0).get("data").get(0).doubleValue()).isEqualTo(3.0);
    assertThat(
            answers.stream()
                .filter(n -> n.has("outputs"))
                .map(n -> n.get("id").asString())
                .toList())
        .containsExactlyInAnyOrder("a", "b", "c");
    List<JsonNode> errors = answers.stream().filter(n -> n.has("error")).toList();
    assertThat(errors).hasSize(3);
    assertThat(errors)
        .anySatisfy(
            e -> {
              assertThat(e.get("status").intValue()).isEqualTo(400);
              assertThat(e.get("error").asString()).contains("malformed JSON");
            });
    assertThat(errors)
        .anySatisfy(
            e -> {
              assertThat(e.get("id").asString()).isEqualTo("m");
              assertThat(e.get("error").asString()).contains("model_name");
            });
    assertThat(errors)
        .anySatisfy(
            e -> {
              assertThat(e.get("id").asString()).isEqualTo("g");
              assertThat(e.get("status").intValue()).isEqualTo(404);
            });
  }

  @Test
  void noMoreThanTheWindowIsInFlightAndEveryRequestIsAnswered() {
    ClientPolicy.Client client = clients.client("ws-window");
    AtomicInteger maxSeen = new AtomicInteger();
    Thread sampler =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                maxSeen.accumulateAndGet(client.inFlight(), Math::max);
                Thread.onSpinWait();
              }
            });
    sampler.start();
    List<String> messages = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      messages.add(slow("w" + i, "ws-window"));
    }
    List<JsonNode> answers;
    try {
      answers = exchange(messages, 12);
    } finally {
      sampler.interrupt();
    }
    assertThat(answers).allSatisfy(n -> assertThat(n.has("outputs")).as(n.toString()).isTrue());
    assertThat(answers.stream().map(n -> n.get("id").asString()).distinct().count()).isEqualTo(12);
    assertThat(maxSeen.get()).isBetween(1, 3);
  }

  @Test
  void closingTheSocketCancelsItsUnansweredRequests() {
    ClientPolicy.Client client = clients.client("ws-cancel");
    List<String> messages = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      messages.add(slow("k" + i, "ws-cancel"));
    }
    double before = cancelledCount();
    // Take the first answer, then close: the window still holds requests, which must be cancelled.
    List<JsonNode> answers = exchange(messages, 1);
    assertThat(answers).hasSize(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> client.inFlight() == 0);
    assertThat(cancelledCount()).isGreaterThan(before);
  }

  private double cancelledCount() {
    String scrape =
        http.get()
            .uri("/actuator/prometheus")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();
    return scrape
        .lines()
        .filter(
            l ->
                l.startsWith("edgenpu_client_requests_total{")
                    && l.contains("outcome=\"cancelled\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void aStreamOverTheLimitIsClosedWithTryAgainLater() {
    // The test base allows 4 streams in all: hold 4 open, the fifth is closed with 1013.
    List<Disposable> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      held.add(
          new ReactorNettyWebSocketClient().execute(uri(), s -> s.receive().then()).subscribe());
    }
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> permits.open() == 4);
      AtomicReference<Integer> code = new AtomicReference<>();
      new ReactorNettyWebSocketClient()
          .execute(uri(), s -> s.closeStatus().doOnNext(cs -> code.set(cs.getCode())).then())
          .block(Duration.ofSeconds(10));
      assertThat(code.get()).isEqualTo(WebSocketStreamHandler.TRY_AGAIN_LATER);
    } finally {
      held.forEach(Disposable::dispose);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> permits.open() == 0);
  }
}
