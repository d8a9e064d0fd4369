package io.edgenpu.service.security;

import io.edgenpu.service.config.EdgeNpuProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.server.GlobalServerInterceptor;

/** Device tokens on both gateways (docs/security.md). */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {
  @Bean
  TokenAuthenticator tokenAuthenticator(EdgeNpuProperties props) {
    return new TokenAuthenticator(props.security());
  }

  @Bean
  SecurityWebFilter securityWebFilter(TokenAuthenticator tokens) {
    return new SecurityWebFilter(tokens);
  }

  @Bean
  @GlobalServerInterceptor
  GrpcAuthInterceptor grpcAuthInterceptor(TokenAuthenticator tokens) {
    return new GrpcAuthInterceptor(tokens);
  }

  @Bean
  StreamPermits streamPermits(EdgeNpuProperties props) {
    return new StreamPermits(props.limits().maxStreams(), props.security().maxStreamsPerToken());
  }
}
