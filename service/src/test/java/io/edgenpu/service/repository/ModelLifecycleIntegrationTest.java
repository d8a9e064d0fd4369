package io.edgenpu.service.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgenpu.service.backend.OrtGraph;
import io.edgenpu.service.testing.TestModels;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Model lifecycle over the repository API on a real server: a reload builds and warms the new
 * version beside the serving one (the model stays ready), the old version answers what it holds and
 * then closes its ONNX Runtime sessions; a failed reload leaves the old version serving; every
 * version is warmed up at every batch size before it serves.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.grpc.server.address=127.0.0.1:0",
      "server.address=127.0.0.1",
      "logging.level.root=ERROR",
      "edgenpu.npu.time-scale=1000",
      "edgenpu.dashboard.enabled=false"
    })
class ModelLifecycleIntegrationTest {
  private static Path repo;
  private static final String AFFINE =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}";

  @DynamicPropertySource
  static void repository(DynamicPropertyRegistry r) throws IOException {
    repo = TestModels.repository(Files.createTempDirectory("edgenpu-lifecycle-repo"));
    r.add("edgenpu.model-repository", repo::toString);
  }

  @LocalServerPort int port;

  @Autowired ModelRepository repository;

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private CompletableFuture<HttpResponse<String>> send(String method, String path, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20));
    b =
        body == null
            ? b.method(method, HttpRequest.BodyPublishers.noBody())
            : b.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
    return client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aReloadKeepsServingAndTheOldVersionAnswersWhatItHeldThenClosesItsSessions() {
    int sessions = OrtGraph.openSessions();
    ModelVersion old = repository.resolve("affine-batched", "");
    // affine-batched waits up to 2 s for a batch of 4: these two wait in the old version's queue.
    List<CompletableFuture<HttpResponse<String>>> queued =
        IntStream.range(0, 2)
            .mapToObj(i -> send("POST", "/v2/models/affine-batched/infer", AFFINE))
            .toList();
    await().atMost(Duration.ofSeconds(5)).until(() -> old.inflight() == 2);
    HttpResponse<String> reload =
        send("POST", "/v2/repository/models/affine-batched/load", null).join();
    assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
    assertThat(send("GET", "/v2/models/affine-batched/ready", null).join().statusCode())
        .isEqualTo(200);
    assertThat(repository.resolve("affine-batched", "")).isNotSameAs(old);
    for (CompletableFuture<HttpResponse<String>> q : queued) {
      HttpResponse<String> r = q.join();
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    // The new version serves; the old one's session is gone once it has drained.
    assertThat(send("POST", "/v2/models/affine/infer", AFFINE).join().statusCode()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> old.instance().isClosed() && OrtGraph.openSessions() == sessions);
  }

  @Test
  void aFailedReloadLeavesTheServingVersionServing() throws IOException {
    Path config = repo.resolve("affine/config.yaml");
    String good = Files.readString(config);
    try {
      Files.writeString(config, good + "\nno-such-key: 1\n");
      HttpResponse<String> reload = send("POST", "/v2/repository/models/affine/load", null).join();
      assertThat(reload.statusCode()).isEqualTo(400);
      assertThat(reload.body()).contains("no-such-key");
      assertThat(send("GET", "/v2/models/affine/ready", null).join().statusCode()).isEqualTo(200);
      assertThat(send("POST", "/v2/models/affine/infer", AFFINE).join().statusCode())
          .isEqualTo(200);
      assertThat(repository.entry("affine").state()).isEqualTo(ModelState.READY);
      assertThat(repository.entry("affine").reason())
          .contains("reload failed")
          .contains("no-such-key");
    } finally {
      Files.writeString(config, good);
    }
  }

  @Test
  void everyVersionIsWarmedUpAtEveryBatchSizeBeforeItServes() {
    assertThat(repository.resolve("ee-toy", "").warmedBatchSizes())
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(repository.resolve("affine", "").warmedBatchSizes()).containsExactly(1, 2, 3, 4);
  }
}
