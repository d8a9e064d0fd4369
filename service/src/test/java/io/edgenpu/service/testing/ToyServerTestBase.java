package io.edgenpu.service.testing;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Integration tests against a real server on random loopback ports, serving the toy models of
 * {@link TestModels}. The emulated NPU runs 100 000 times slower than modelled so that a toy stage
 * takes milliseconds (ordering between early and late exits is then unambiguous). All subclasses
 * share one application context.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.grpc.server.address=127.0.0.1:0",
      "server.address=127.0.0.1",
      "edgenpu.npu.time-scale=100000",
      "edgenpu.limits.max-body-size=1MB",
      "edgenpu.dashboard.interval=250ms",
      "edgenpu.limits.max-streams=4",
      "edgenpu.limits.max-stream-in-flight=3",
      "edgenpu.clients.devices.lamp=standard",
      "edgenpu.clients.devices.lock=standard",
      "edgenpu.clients.devices.thermostat=standard",
      "edgenpu.clients.devices.noisy-camera=standard",
      "logging.level.root=WARN"
    })
@Import(GrpcPort.class)
public abstract class ToyServerTestBase {
  private static final Path REPO = createRepository();

  static {
    BlockingCalls.install();
  }

  private static Path createRepository() {
    try {
      return TestModels.repository(Files.createTempDirectory("edgenpu-toy-repo"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @DynamicPropertySource
  static void repository(DynamicPropertyRegistry r) {
    r.add("edgenpu.model-repository", REPO::toString);
  }

  @LocalServerPort protected int httpPort;

  @Autowired protected GrpcPort grpcPort;

  protected WebTestClient http;

  @BeforeEach
  void client() {
    http =
        WebTestClient.bindToServer()
            .baseUrl("http://127.0.0.1:" + httpPort)
            .responseTimeout(Duration.ofSeconds(30))
            .build();
  }

  protected ManagedChannel channel() {
    return NettyChannelBuilder.forAddress("127.0.0.1", grpcPort.port()).usePlaintext().build();
  }

  @AfterAll
  static void noBlockingCallsOnEventLoops() {
    Assertions.assertThat(BlockingCalls.seen())
        .as("blocking calls on event-loop threads")
        .isEmpty();
  }
}
