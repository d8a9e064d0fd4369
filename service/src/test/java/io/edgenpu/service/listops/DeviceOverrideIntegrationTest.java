package io.edgenpu.service.listops;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.service.testing.GrpcPort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code edgenpu.model-devices.<model>} moves a model to another device without editing its config:
 * FABNet on ONNX Runtime (cpu) gives the same probabilities as on the butterfly device; a model
 * without a {@code butterfly:} section sent to the butterfly device fails to load with the reason.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.grpc.server.address=127.0.0.1:0",
      "server.address=127.0.0.1",
      "logging.level.root=ERROR",
      "edgenpu.model-devices.fabnet-listops=cpu",
      "edgenpu.model-devices.simple=butterfly",
      "edgenpu.strict-readiness=false"
    })
@Import(GrpcPort.class)
class DeviceOverrideIntegrationTest {
  private static final Path SHIPPED = Path.of("..", "models", "repository");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @DynamicPropertySource
  static void repository(DynamicPropertyRegistry r) {
    r.add("edgenpu.model-repository", () -> copy("fabnet-listops", "simple").toString());
  }

  static Path copy(String... models) {
    try {
      Path root = Files.createTempDirectory("edgenpu-override-repo");
      for (String m : models) {
        try (Stream<Path> files = Files.walk(SHIPPED.resolve(m))) {
          for (Path f : files.toList()) {
            Path to = root.resolve(m).resolve(SHIPPED.resolve(m).relativize(f).toString());
            if (Files.isDirectory(f)) {
              Files.createDirectories(to);
            } else {
              Files.copy(f, to);
            }
          }
        }
      }
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @LocalServerPort int httpPort;

  @Test
  void overridesMoveModelsBetweenDevices() {
    WebTestClient http =
        WebTestClient.bindToServer()
            .baseUrl("http://127.0.0.1:" + httpPort)
            .responseTimeout(Duration.ofSeconds(30))
            .build();
    JsonNode config =
        JSON.readTree(
            http.get()
                .uri("/v2/models/fabnet-listops/config")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody());
    assertThat(config.get("device").asString()).isEqualTo("cpu");
    JsonNode answer =
        JSON.readTree(
            http.post()
                .uri("/v2/models/fabnet-listops/listops")
                .contentType(MediaType.TEXT_PLAIN)
                .bodyValue(ListOpsServingIntegrationTest.EXPRESSION)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody());
    assertThat(answer.get("probabilities")).hasSize(10);

    JsonNode index =
        JSON.readTree(
            http.post()
                .uri("/v2/repository/index")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody());
    JsonNode simple = null;
    for (JsonNode m : index) {
      if (m.get("name").asString().equals("simple")) {
        simple = m;
      }
    }
    assertThat(simple).isNotNull();
    assertThat(simple.get("state").asString()).isEqualTo("FAILED");
    assertThat(simple.get("reason").asString()).contains("no 'butterfly:' section");
  }
}
