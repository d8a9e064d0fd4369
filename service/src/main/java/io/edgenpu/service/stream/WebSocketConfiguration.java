package io.edgenpu.service.stream;

import io.edgenpu.service.config.EdgeNpuProperties;
import io.edgenpu.service.inference.InferenceService;
import io.edgenpu.service.rest.InferJsonCodec;
import io.edgenpu.service.security.StreamPermits;
import io.edgenpu.service.security.TokenAuthenticator;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * The WebSocket inference stream at {@code /v2/stream}; messages up to {@code
 * edgenpu.limits.max-body-size}.
 */
@Configuration(proxyBeanMethods = false)
public class WebSocketConfiguration {
  public static final String PATH = "/v2/stream";

  @Bean
  HandlerMapping webSocketStreamMapping(
      InferenceService inference,
      TokenAuthenticator tokens,
      StreamPermits permits,
      EdgeNpuProperties props) {
    WebSocketStreamHandler handler =
        new WebSocketStreamHandler(
            inference,
            new InferJsonCodec(props.limits().maxTensorElements()),
            tokens,
            permits,
            props.limits().maxStreamInFlight());
    // Ahead of the REST router, whose /v2/** fallback would answer 404.
    return new SimpleUrlHandlerMapping(Map.of(PATH, handler), Ordered.HIGHEST_PRECEDENCE);
  }

  @Bean
  WebSocketHandlerAdapter webSocketHandlerAdapter(EdgeNpuProperties props) {
    int maxFrame = (int) Math.min(Integer.MAX_VALUE, props.limits().maxBodySize().toBytes());
    return new WebSocketHandlerAdapter(
        new HandshakeWebSocketService(
            new ReactorNettyRequestUpgradeStrategy(
                () -> WebsocketServerSpec.builder().maxFramePayloadLength(maxFrame))));
  }
}
