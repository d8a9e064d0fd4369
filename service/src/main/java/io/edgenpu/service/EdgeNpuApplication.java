package io.edgenpu.service;

import io.edgenpu.service.config.DroppedErrors;
import io.edgenpu.service.config.OrderlyShutdown;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The edge-NPU inference server: Open Inference Protocol over REST and gRPC, fluid batching,
 * emulated NPU.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class EdgeNpuApplication {
  public static void main(String[] args) {
    DroppedErrors.install();
    OrderlyShutdown.install(SpringApplication.run(EdgeNpuApplication.class, args));
  }
}
