package io.edgenpu.service.stream;

import io.edgenpu.service.inference.Caller;
import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.InferenceRequest;
import io.edgenpu.service.inference.InferenceService;
import io.edgenpu.service.inference.Status;
import io.edgenpu.service.rest.Answers;
import io.edgenpu.service.rest.InferJsonCodec;
import io.edgenpu.service.rest.RequestBodies;
import io.edgenpu.service.security.StreamPermits;
import io.edgenpu.service.security.TokenAuthenticator;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * The WebSocket inference stream at {@code /v2/stream}, for devices that speak HTTP only. Each text
 * (or binary) message is one OIP inference request in JSON that names its model ({@code
 * model_name}, optional {@code model_version}); each answer is a text message: the OIP inference
 * response (with the request's {@code id}), or {@code {"id", "error", "status"[, "retry_after_s"]}}
 * for that request alone. Answers come in completion order. At most {@code window} requests are
 * unanswered at once: the server reads no further message until one is answered (backpressure
 * reaches the socket). Closing the socket cancels the unanswered requests. Each request's own
 * {@code timeout} and {@code priority} parameters apply.
 */
public final class WebSocketStreamHandler implements WebSocketHandler {
  /** Close code 1013 (try again later): too many streams open. */
  static final int TRY_AGAIN_LATER = 1013;

  private final InferenceService inference;
  private final InferJsonCodec codec;
  private final TokenAuthenticator tokens;
  private final StreamPermits permits;
  private final int window;

  public WebSocketStreamHandler(
      InferenceService inference,
      InferJsonCodec codec,
      TokenAuthenticator tokens,
      StreamPermits permits,
      int window) {
    this.inference = inference;
    this.codec = codec;
    this.tokens = tokens;
    this.permits = permits;
    this.window = window;
  }

  @Override
  public Mono<Void> handle(WebSocketSession session) {
    Caller caller;
    StreamPermits.Permit permit;
    try {
      // The security filter already checked the handshake's token; this only recovers who it was.
      caller =
          tokens.authenticate(
              session.getHandshakeInfo().getHeaders().getFirst(HttpHeaders.AUTHORIZATION));
      permit = permits.acquire(caller);
    } catch (InferenceException e) {
      return session.close(new CloseStatus(TRY_AGAIN_LATER, e.getMessage()));
    }
    return session
        .send(
            session
                .receive()
                .map(m -> RequestBodies.copy(m.getPayload()))
                .flatMap(message -> answer(message, caller), window, 1)
                .map(session::textMessage))
        .doFinally(signal -> permit.close());
  }

  /**
   * The answer to one message; never an error signal (errors are answers). Cancelled when the
   * socket closes.
   */
  private Mono<String> answer(byte[] message, Caller caller) {
    return Mono.defer(
            () -> {
              InferenceRequest ir = codec.decodeStreamMessage(message);
              InferenceService.Call call = inference.infer(ir, caller);
              return Answers.of(call)
                  .map(
                      result -> {
                        InferJsonCodec.Encoded enc = codec.encode(result, ir);
                        if (enc.jsonLength() >= 0) {
                          throw InferenceException.invalid(
                              "binary outputs are not available on the WebSocket stream; ask for JSON data");
                        }
                        return new String(enc.body(), StandardCharsets.UTF_8);
                      });
            })
        .onErrorResume(e -> Mono.just(error(idOf(message), e)));
  }

  private String idOf(byte[] message) {
    try {
      JsonNode id = codec.parse(message, 0, message.length).get("id");
      return id != null && id.isString() ? id.stringValue() : "";
    } catch (RuntimeException e) {
      return "";
    }
  }

  private String error(String id, Throwable t) {
    Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    InferenceException ie =
        e instanceof InferenceException x
            ? x
            : new InferenceException(
                Status.INTERNAL, "internal error: " + e.getClass().getSimpleName());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", id);
    body.put("error", ie.getMessage());
    body.put("status", ie.status().httpStatus());
    if (ie.retryAfter() != null) {
      body.put("retry_after_s", Math.max(1, (ie.retryAfter().toMillis() + 999) / 1000));
    }
    return codec.mapper().writeValueAsString(body);
  }
}
