package io.edgenpu.service.security;

import io.edgenpu.service.inference.Caller;
import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.Status;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Authenticates every request under {@code /v2} (REST and the WebSocket stream's handshake) except
 * the health probes, and requires the admin role for repository load and unload. The {@link Caller}
 * is left in the exchange's attributes ({@link #CALLER}) for the handlers. Failures are the OIP
 * error body with 401 (and {@code WWW-Authenticate: Bearer}) or 403. With security off, every
 * caller is {@link Caller#ANONYMOUS}.
 */
public final class SecurityWebFilter implements WebFilter, Ordered {
  /** Exchange attribute holding the request's {@link Caller}. */
  public static final String CALLER = Caller.class.getName();

  private static final Pattern ADMIN_PATH =
      Pattern.compile("^/v2/(repository/models/[^/]+/(load|unload)|admin/.*)$");

  private final TokenAuthenticator tokens;

  public SecurityWebFilter(TokenAuthenticator tokens) {
    this.tokens = tokens;
  }

  /** The caller an earlier filter established, or {@link Caller#ANONYMOUS}. */
  public static Caller callerOf(ServerWebExchange exchange) {
    Caller c = exchange.getAttribute(CALLER);
    return c == null ? Caller.ANONYMOUS : c;
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE + 10;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    String path = exchange.getRequest().getPath().pathWithinApplication().value();
    if (!tokens.enabled()
        || !(path.equals("/v2") || path.startsWith("/v2/"))
        || path.startsWith("/v2/health/")) {
      return chain.filter(exchange);
    }
    Caller caller;
    try {
      caller =
          tokens.authenticate(
              exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION));
      if (HttpMethod.POST.equals(exchange.getRequest().getMethod())
          && ADMIN_PATH.matcher(path).matches()) {
        TokenAuthenticator.requireAdmin(caller, "loading or unloading models, or fault drills");
      }
    } catch (InferenceException e) {
      return refuse(exchange, e);
    }
    exchange.getAttributes().put(CALLER, caller);
    return chain.filter(exchange);
  }

  private static Mono<Void> refuse(ServerWebExchange exchange, InferenceException e) {
    var response = exchange.getResponse();
    response.setStatusCode(HttpStatus.valueOf(e.status().httpStatus()));
    response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
    if (e.status() == Status.UNAUTHENTICATED) {
      response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    }
    String body =
        "{\"error\":\""
            + String.valueOf(e.getMessage()).replace("\\", "\\\\").replace("\"", "\\\"")
            + "\"}";
    DataBuffer buffer = response.bufferFactory().wrap(body.getBytes(StandardCharsets.UTF_8));
    return response.writeWith(Mono.just(buffer));
  }
}
