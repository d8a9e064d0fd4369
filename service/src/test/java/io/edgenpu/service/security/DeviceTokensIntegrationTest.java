package io.edgenpu.service.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgenpu.api.grpc.GRPCInferenceServiceGrpc;
import io.edgenpu.api.grpc.InferTensorContents;
import io.edgenpu.api.grpc.ModelInferRequest;
import io.edgenpu.api.grpc.RepositoryModelLoadRequest;
import io.edgenpu.api.grpc.ServerLiveRequest;
import io.edgenpu.service.testing.GrpcPort;
import io.edgenpu.service.testing.TestModels;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Device tokens on: inference needs a valid token on REST, gRPC and the WebSocket stream;
 * repository load needs the admin role; health probes need none; a device's class rate limit and
 * the per-device in-flight limit answer 429 with Retry-After; and no token appears in the logs
 * (request log and DEBUG on).
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.grpc.server.address=127.0.0.1:0",
      "server.address=127.0.0.1",
      "logging.level.io.edgenpu=DEBUG",
      "edgenpu.metrics.request-log=true",
      "edgenpu.npu.time-scale=100000",
      "edgenpu.dashboard.enabled=false",
      "edgenpu.security.enabled=true",
      "edgenpu.security.max-streams-per-token=1",
      "edgenpu.clients.max-in-flight=2",
      "edgenpu.clients.classes.throttled.rate-limit=0.1",
      "edgenpu.clients.devices.doorbell=throttled"
    })
@Import(GrpcPort.class)
@ExtendWith(OutputCaptureExtension.class)
public class DeviceTokensIntegrationTest {
  static final String DEVICE_TOKEN = "kitchen-cam-7f3a9c";
  static final String ADMIN_TOKEN = "ops-admin-51be02";
  static final String DOORBELL_TOKEN = "doorbell-90d1e4";
  static final String AFFINE =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}";

  @DynamicPropertySource
  static void settings(DynamicPropertyRegistry r) throws IOException {
    Path repo = TestModels.repository(Files.createTempDirectory("edgenpu-security-repo"));
    r.add("edgenpu.model-repository", repo::toString);
    token(r, 0, "kitchen-cam", DEVICE_TOKEN, "device");
    token(r, 1, "ops", ADMIN_TOKEN, "admin");
    token(r, 2, "doorbell", DOORBELL_TOKEN, "device");
  }

  private static void token(
      DynamicPropertyRegistry r, int i, String device, String token, String role) {
    r.add("edgenpu.security.tokens[" + i + "].device", () -> device);
    r.add(
        "edgenpu.security.tokens[" + i + "].sha256",
        () -> HexFormat.of().formatHex(TokenAuthenticator.sha256(token)));
    r.add("edgenpu.security.tokens[" + i + "].role", () -> role);
  }

  @LocalServerPort int port;

  @Autowired GrpcPort grpcPort;

  WebTestClient http;
  ManagedChannel channel;

  @BeforeEach
  void setUp() {
    http =
        WebTestClient.bindToServer()
            .baseUrl("http://127.0.0.1:" + port)
            .responseTimeout(Duration.ofSeconds(30))
            .build();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort.port()).usePlaintext().build();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private WebTestClient.ResponseSpec infer(String authorization) {
    WebTestClient.RequestBodySpec spec =
        http.post().uri("/v2/models/affine/infer").contentType(MediaType.APPLICATION_JSON);
    if (authorization != null) {
      spec.header(HttpHeaders.AUTHORIZATION, authorization);
    }
    return spec.bodyValue(AFFINE).exchange();
  }

  /** REST authentication failures: 401 with the OIP error body and a Bearer challenge. */
  public static List<String[]> badAuthorizations() {
    return List.of(
        new String[] {"missing token", null, "token is required"},
        new String[] {"empty header", "", "token is required"},
        new String[] {"basic scheme", "Basic a2l0Y2hlbjpzZWNyZXQ=", "Bearer"},
        new String[] {"bearer without token", "Bearer ", "Bearer"},
        new String[] {"unknown token", "Bearer not-a-real-token", "unknown device token"},
        new String[] {
          "token of another case",
          "Bearer " + DEVICE_TOKEN.toUpperCase(Locale.ROOT),
          "unknown device token"
        },
        new String[] {
          "token with a trailing byte", "Bearer " + DEVICE_TOKEN + "x", "unknown device token"
        },
        new String[] {
          "token as a hash",
          "Bearer " + HexFormat.of().formatHex(TokenAuthenticator.sha256(DEVICE_TOKEN)),
          "unknown device token"
        });
  }

  @Test
  void restNeedsAValidTokenForInferenceButNotForHealth(CapturedOutput output) {
    for (String[] c : badAuthorizations()) {
      String body =
          infer(c[1])
              .expectStatus()
              .isUnauthorized()
              .expectHeader()
              .valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
              .expectBody(String.class)
              .returnResult()
              .getResponseBody();
      assertThat(body).as(c[0]).startsWith("{\"error\":").contains(c[2]);
    }
    infer("Bearer " + DEVICE_TOKEN).expectStatus().isOk();
    infer("bearer " + DEVICE_TOKEN).expectStatus().isOk();
    http.get().uri("/v2/health/ready").exchange().expectStatus().isOk();
    http.get().uri("/v2/models/affine").exchange().expectStatus().isUnauthorized();
    assertThat(output.getAll())
        .doesNotContain(DEVICE_TOKEN)
        .doesNotContain(ADMIN_TOKEN)
        .doesNotContain(DOORBELL_TOKEN)
        .doesNotContain(HexFormat.of().formatHex(TokenAuthenticator.sha256(DEVICE_TOKEN)));
  }

  @Test
  void repositoryLoadAndUnloadNeedTheAdminRole() {
    http.post()
        .uri("/v2/repository/models/echo-int/unload")
        .header(HttpHeaders.AUTHORIZATION, "Bearer " + DEVICE_TOKEN)
        .exchange()
        .expectStatus()
        .isForbidden()
        .expectBody()
        .jsonPath("$.error")
        .value(e -> assertThat((String) e).contains("admin"));
    http.post()
        .uri("/v2/repository/models/echo-int/unload")
        .header(HttpHeaders.AUTHORIZATION, "Bearer " + ADMIN_TOKEN)
        .exchange()
        .expectStatus()
        .isOk();
    http.post()
        .uri("/v2/repository/models/echo-int/load")
        .header(HttpHeaders.AUTHORIZATION, "Bearer " + ADMIN_TOKEN)
        .exchange()
        .expectStatus()
        .isOk();
    http.post()
        .uri("/v2/repository/index")
        .header(HttpHeaders.AUTHORIZATION, "Bearer " + DEVICE_TOKEN)
        .exchange()
        .expectStatus()
        .isOk();
  }

  private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub(String authorization) {
    Metadata m = new Metadata();
    if (authorization != null) {
      m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
    }
    return GRPCInferenceServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
  }

  private static ModelInferRequest affine() {
    return ModelInferRequest.newBuilder()
        .setModelName("affine")
        .addInputs(
            ModelInferRequest.InferInputTensor.newBuilder()
                .setName("x")
                .setDatatype("FP32")
                .addShape(1)
                .addShape(4)
                .setContents(
                    InferTensorContents.newBuilder().addAllFp32Contents(List.of(1f, 2f, 3f, 4f))))
        .build();
  }

  @Test
  void grpcNeedsAValidTokenAndTheAdminRoleForRepositoryChanges() {
    assertThat(stub(null).serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
    for (String bad : new String[] {null, "Bearer wrong", "Token " + DEVICE_TOKEN}) {
      assertThatThrownBy(() -> stub(bad).modelInfer(affine()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }
    assertThat(stub("Bearer " + DEVICE_TOKEN).modelInfer(affine()).getOutputsCount()).isPositive();
    assertThatThrownBy(
            () ->
                stub("Bearer " + DEVICE_TOKEN)
                    .repositoryModelLoad(
                        RepositoryModelLoadRequest.newBuilder().setModelName("echo-int").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    stub("Bearer " + ADMIN_TOKEN)
        .repositoryModelLoad(
            RepositoryModelLoadRequest.newBuilder().setModelName("echo-int").build());
  }

  @Test
  void webSocketHandshakeNeedsAToken() {
    URI uri = URI.create("ws://127.0.0.1:" + port + "/v2/stream");
    assertThatThrownBy(
            () ->
                new ReactorNettyWebSocketClient()
                    .execute(uri, s -> s.receive().then())
                    .block(Duration.ofSeconds(10)))
        .hasMessageContaining("401");
    HttpHeaders auth = new HttpHeaders();
    auth.set(HttpHeaders.AUTHORIZATION, "Bearer " + DEVICE_TOKEN);
    String message = "{\"model_name\":\"affine\",\"id\":\"t\"," + AFFINE.substring(1);
    String answer =
        new ReactorNettyWebSocketClient()
            .execute(
                uri,
                auth,
                s ->
                    s.send(Flux.just(s.textMessage(message)))
                        .thenMany(s.receive().take(1).map(m -> m.getPayloadAsText()))
                        .doOnNext(a -> assertThat(a).contains("\"id\":\"t\""))
                        .then())
            .then(Mono.just("ok"))
            .block(Duration.ofSeconds(10));
    assertThat(answer).isEqualTo("ok");
  }

  @Test
  void aDeviceOverItsClassRateLimitOrItsInFlightLimitGets429() {
    infer("Bearer " + DOORBELL_TOKEN).expectStatus().isOk();
    infer("Bearer " + DOORBELL_TOKEN)
        .expectStatus()
        .isEqualTo(429)
        .expectHeader()
        .exists(HttpHeaders.RETRY_AFTER)
        .expectBody()
        .jsonPath("$.error")
        .value(e -> assertThat((String) e).contains("rate limit"));

    // At most 2 unanswered requests per device: 8 at once on the slow model, some must be refused.
    String slow =
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,"
            + TestModels.SLOW_WIDTH
            + "],\"datatype\":\"FP32\",\"data\":["
            + "0,".repeat(TestModels.SLOW_WIDTH - 1)
            + "0]}]}";
    WebClient client = WebClient.create("http://127.0.0.1:" + port);
    List<Integer> statuses =
        Flux.range(0, 8)
            .flatMap(
                i ->
                    client
                        .post()
                        .uri("/v2/models/slow-no-admission/infer")
                        .header(HttpHeaders.AUTHORIZATION, "Bearer " + DEVICE_TOKEN)
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(slow)
                        .exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value())),
                8)
            .collectList()
            .block(Duration.ofSeconds(30));
    assertThat(statuses).hasSize(8).containsOnly(200, 429).contains(200, 429);
  }
}
