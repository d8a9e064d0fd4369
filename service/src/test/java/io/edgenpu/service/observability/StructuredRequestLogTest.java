package io.edgenpu.service.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.service.testing.GrpcPort;
import io.edgenpu.service.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * With structured (ECS JSON) logs and the request log on, each request is one JSON line carrying
 * its ids.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.grpc.server.address=127.0.0.1:0",
      "server.address=127.0.0.1",
      "logging.structured.format.console=ecs",
      "edgenpu.metrics.request-log=true",
      "logging.level.root=WARN",
      "logging.level.edgenpu.requests=INFO"
    })
@Import(GrpcPort.class)
@ExtendWith(OutputCaptureExtension.class)
class StructuredRequestLogTest {
  @LocalServerPort int httpPort;

  @DynamicPropertySource
  static void repository(DynamicPropertyRegistry r) throws Exception {
    Path repo = TestModels.repository(Files.createTempDirectory("edgenpu-log-repo"));
    r.add("edgenpu.model-repository", repo::toString);
  }

  @Test
  void requestLinesAreJsonWithTheRequestIds(CapturedOutput output) {
    WebTestClient http =
        WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + httpPort).build();
    http.post()
        .uri("/v2/models/affine/infer")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(
            "{\"id\":\"door-7\",\"parameters\":{\"client_id\":\"cam-1\"},\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],"
                + "\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}")
        .exchange()
        .expectStatus()
        .isOk();
    JsonMapper json = JsonMapper.builder().build();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> output.getOut().contains("door-7"));
    List<JsonNode> lines =
        output.getOut().lines().filter(l -> l.contains("door-7")).map(json::readTree).toList();
    assertThat(lines).hasSize(1);
    JsonNode line = lines.get(0);
    assertThat(line.get("log").get("logger").asString()).isEqualTo("edgenpu.requests");
    assertThat(line.get("client_request_id").asString()).isEqualTo("door-7");
    assertThat(line.get("client_id").asString()).isEqualTo("cam-1");
    assertThat(line.get("outcome").asString()).isEqualTo("ok");
    assertThat(line.get("request_id").asLong()).isPositive();
    assertThat(line.get("latency_us").asLong()).isNotNegative();
  }
}
