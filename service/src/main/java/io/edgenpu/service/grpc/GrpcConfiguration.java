package io.edgenpu.service.grpc;

import io.edgenpu.service.config.EdgeNpuProperties;
import io.edgenpu.service.inference.InferenceService;
import io.edgenpu.service.repository.ModelRepository;
import io.edgenpu.service.rest.OipRestHandler;
import io.edgenpu.service.security.StreamPermits;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.scheduler.Schedulers;

/** Registers the OIP gRPC service with Spring gRPC's server. */
@Configuration(proxyBeanMethods = false)
public class GrpcConfiguration {
  @Bean
  OipGrpcService oipGrpcService(
      InferenceService inference,
      ModelRepository repository,
      OipRestHandler rest,
      EdgeNpuProperties props,
      StreamPermits streams) {
    return new OipGrpcService(
        inference,
        repository,
        rest::isReady,
        props,
        streams,
        task -> Schedulers.boundedElastic().schedule(task));
  }
}
