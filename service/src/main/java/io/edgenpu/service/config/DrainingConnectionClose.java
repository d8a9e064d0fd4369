package io.edgenpu.service.config;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * While the server drains for shutdown, every HTTP response says {@code Connection: close}:
 * keep-alive clients then reconnect (to another replica), instead of holding the server's
 * connections, and with them its event loops, busy after the listening socket has closed (a client
 * that kept one connection busy held a shutdown open for minutes).
 */
public final class DrainingConnectionClose implements WebFilter, Ordered {
  private final ServerState state;

  public DrainingConnectionClose(ServerState state) {
    this.state = state;
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    if (state.isDraining()) {
      exchange
          .getResponse()
          .beforeCommit(
              () -> {
                exchange.getResponse().getHeaders().set(HttpHeaders.CONNECTION, "close");
                return Mono.empty();
              });
    }
    return chain.filter(exchange);
  }
}
