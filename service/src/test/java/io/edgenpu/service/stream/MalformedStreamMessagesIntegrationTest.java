package io.edgenpu.service.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.service.rest.MalformedRequestsIntegrationTest;
import io.edgenpu.service.testing.ToyServerTestBase;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Malformed and hostile messages on the WebSocket stream: garbage frames, messages that are not
 * requests, and every malformed JSON request body of the REST test sent as a stream message. Each
 * is answered in-stream with the right status and an error, the stream stays usable (a valid
 * request after it is served), and an oversized message closes only its own socket (1009).
 */
public class MalformedStreamMessagesIntegrationTest extends ToyServerTestBase {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /**
   * One hostile message: binary or text, the status it must be answered with, and a word of the
   * error.
   */
  public record Case(String name, byte[] message, boolean binary, int status, String contains) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Case text(String name, String message, int status, String contains) {
    return new Case(name, message.getBytes(StandardCharsets.UTF_8), false, status, contains);
  }

  private static final String X =
      "\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]";

  /** Stream-specific cases. */
  public static Stream<Case> streamCases() {
    byte[] garbage = new byte[512];
    new Random(7).nextBytes(garbage);
    return Stream.of(
        new Case("random bytes in a binary frame", garbage, true, 400, "malformed JSON"),
        text("plain text", "hello server", 400, "malformed JSON"),
        text("empty message", "", 400, "empty"),
        text("JSON array", "[1,2,3]", 400, "object"),
        text("JSON string", "\"infer\"", 400, "object"),
        text("no model_name", "{" + X + "}", 400, "model_name"),
        text("model_name a number", "{\"model_name\":7," + X + "}", 400, "model_name"),
        text("model_name blank", "{\"model_name\":\" \"," + X + "}", 400, "model_name"),
        text(
            "model_version a number",
            "{\"model_name\":\"affine\",\"model_version\":1," + X + "}",
            400,
            "model_version"),
        text("unknown model", "{\"model_name\":\"ghost\"," + X + "}", 404, "ghost"),
        text(
            "unknown version",
            "{\"model_name\":\"affine\",\"model_version\":\"9\"," + X + "}",
            404,
            "version"),
        text(
            "binary outputs asked for",
            "{\"model_name\":\"affine\",\"parameters\":{\"binary_data_output\":true}," + X + "}",
            400,
            "binary outputs"),
        text(
            "nesting 1000 deep",
            "{\"model_name\":\"affine\",\"x\":" + "[".repeat(1000) + "]".repeat(1000) + "}",
            400,
            ""));
  }

  /**
   * The REST test's malformed JSON bodies for the affine model, each sent as a stream message
   * naming that model.
   */
  public static Stream<Case> restBodyCases() {
    return MalformedRequestsIntegrationTest.cases()
        .filter(
            c ->
                HttpMethod.POST.equals(c.method())
                    && c.path().equals("/v2/models/affine/infer")
                    && MediaType.APPLICATION_JSON_VALUE.equals(c.contentType())
                    && c.status() == 400)
        .map(
            c -> {
              String body = new String(c.body(), StandardCharsets.UTF_8);
              String message =
                  body.startsWith("{") && body.length() > 1
                      ? "{\"model_name\":\"affine\","
                          + body.substring(1).replaceFirst("^}", "\"_\":0}")
                      : body;
              return new Case(
                  "REST body: " + c.name(),
                  message.getBytes(StandardCharsets.UTF_8),
                  false,
                  400,
                  "");
            });
  }

  static Stream<Case> allCases() {
    return Stream.concat(streamCases(), restBodyCases());
  }

  private URI uri() {
    return URI.create("ws://127.0.0.1:" + httpPort + WebSocketConfiguration.PATH);
  }

  private static WebSocketMessage frame(WebSocketSession s, Case c) {
    return c.binary()
        ? s.binaryMessage(f -> f.wrap(c.message()))
        : s.textMessage(new String(c.message(), StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allCases")
  void answeredInStreamThenAValidRequestIsServed(Case c) {
    String valid = "{\"model_name\":\"affine\",\"id\":\"after\"," + X + "}";
    AtomicReference<JsonNode> error = new AtomicReference<>();
    AtomicReference<JsonNode> served = new AtomicReference<>();
    new ReactorNettyWebSocketClient()
        .execute(
            uri(),
            s ->
                s.send(Flux.just(frame(s, c), s.textMessage(valid)))
                    .and(
                        s.receive()
                            .take(2)
                            .map(m -> JSON.readTree(m.getPayloadAsText()))
                            .doOnNext(n -> (n.has("error") ? error : served).set(n))
                            .then()))
        .block(Duration.ofSeconds(20));
    assertThat(error.get()).as(c.name()).isNotNull();
    assertThat(error.get().get("status").intValue())
        .as(c.name() + ": " + error.get())
        .isEqualTo(c.status());
    assertThat(error.get().get("error").asString().toLowerCase(Locale.ROOT))
        .as(c.name())
        .contains(c.contains().toLowerCase(Locale.ROOT));
    assertThat(served.get().get("id").asString()).isEqualTo("after");
  }

  @Test
  void aMessageOverTheSizeLimitClosesOnlyItsOwnSocket() {
    AtomicReference<Integer> code = new AtomicReference<>();
    byte[] big = new byte[2 * 1024 * 1024]; // the test base limits bodies (and so messages) to 1 MB
    // The server closes the socket: with close code 1009 (message too big) when the client reads
    // the close
    // frame before the connection goes, or as a bare disconnect when it does not; either way the
    // session ends.
    new ReactorNettyWebSocketClient()
        .execute(
            uri(),
            s ->
                s.send(Mono.just(s.binaryMessage(f -> f.wrap(big))))
                    .then(s.closeStatus().doOnNext(cs -> code.set(cs.getCode())).then()))
        .onErrorResume(e -> Mono.empty())
        .block(Duration.ofSeconds(20));
    if (code.get() != null) {
      assertThat(code.get()).isEqualTo(1009);
    }
    // Only that socket: the service is ready and a new stream is served.
    http.get().uri("/v2/health/ready").exchange().expectStatus().isOk();
    AtomicReference<JsonNode> served = new AtomicReference<>();
    String valid = "{\"model_name\":\"affine\",\"id\":\"after\"," + X + "}";
    new ReactorNettyWebSocketClient()
        .execute(
            uri(),
            s ->
                s.send(Mono.just(s.textMessage(valid)))
                    .and(
                        s.receive()
                            .take(1)
                            .map(m -> JSON.readTree(m.getPayloadAsText()))
                            .doOnNext(served::set)
                            .then()))
        .block(Duration.ofSeconds(20));
    assertThat(served.get().get("id").asString()).isEqualTo("after");
  }
}
