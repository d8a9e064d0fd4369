package io.edgenpu.service.rest;

import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.Status;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Building OIP JSON responses and error bodies ({@code {"error": "..."}}) with the right status and
 * headers.
 */
final class RestResponses {
  private static final System.Logger LOG = System.getLogger(RestResponses.class.getName());

  private final JsonMapper mapper;

  RestResponses(JsonMapper mapper) {
    this.mapper = mapper;
  }

  Mono<ServerResponse> json(int status, Object body) {
    byte[] bytes = mapper.writeValueAsBytes(body);
    return ServerResponse.status(HttpStatusCode.valueOf(status))
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(bytes);
  }

  Mono<ServerResponse> ok(Object body) {
    return json(200, body);
  }

  Mono<ServerResponse> error(InferenceException e) {
    ServerResponse.BodyBuilder b =
        ServerResponse.status(HttpStatusCode.valueOf(e.status().httpStatus()))
            .contentType(MediaType.APPLICATION_JSON);
    if (e.retryAfter() != null) {
      b.header(
          HttpHeaders.RETRY_AFTER,
          Long.toString(Math.max(1, (e.retryAfter().toMillis() + 999) / 1000)));
    }
    return b.bodyValue(
        mapper.writeValueAsBytes(Map.of("error", e.getMessage() == null ? "" : e.getMessage())));
  }

  /**
   * Maps any failure to an OIP error response; unexpected ones become a logged 500 with a generic
   * message.
   */
  Mono<ServerResponse> failure(Throwable t) {
    if (t instanceof InferenceException e) {
      return error(e);
    }
    LOG.log(System.Logger.Level.ERROR, "unexpected error while serving a request", t);
    return error(
        new InferenceException(Status.INTERNAL, "internal error: " + t.getClass().getSimpleName()));
  }
}
