package io.edgenpu.service.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgenpu.service.device.FaultInjectors;
import io.edgenpu.service.inference.AnswerWatchdog;
import io.edgenpu.service.inference.InferenceService;
import io.edgenpu.service.testing.TestModels;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Every request the server accepts gets exactly one answer, over a real socket: with a scheduler
 * listener that throws on every event; with a backend that hangs past a request's deadline (the
 * gateway watchdog answers it); when the client goes away mid-request (no error is logged for an
 * ordinary disconnect); and errors the HTTP decoder raises carry the OIP error body.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.grpc.server.address=127.0.0.1:0",
      "server.address=127.0.0.1",
      "logging.level.root=WARN",
      "edgenpu.npu.time-scale=100000",
      "edgenpu.dashboard.enabled=false",
      "edgenpu.resilience.fault-injection=true",
      "edgenpu.resilience.stage-timeout=60s",
      "edgenpu.resilience.max-concurrent-blocking-calls=8",
      "edgenpu.limits.answer-timeout=500ms"
    })
class ExactlyOneAnswerIntegrationTest {
  private static final String AFFINE =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}";

  @DynamicPropertySource
  static void repository(DynamicPropertyRegistry r) throws IOException {
    Path repo = TestModels.repository(Files.createTempDirectory("edgenpu-answers-repo"));
    r.add("edgenpu.model-repository", repo::toString);
  }

  @LocalServerPort int port;

  @Autowired FaultInjectors faults;

  @Autowired InferenceService inference;

  @Autowired AnswerWatchdog watchdog;

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void heal() {
    faults.clearAll();
  }

  private CompletableFuture<HttpResponse<String>> post(String model, String body) {
    HttpRequest r =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/v2/models/" + model + "/infer"))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return client.sendAsync(r, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aListenerThatThrowsOnEveryEventLosesNoRequest() {
    long before = watchdog.fired();
    faults.listenerThrows(true);
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      calls.add(
          post(
              i % 2 == 0 ? "affine" : "echo-int",
              i % 2 == 0
                  ? AFFINE
                  : "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"INT64\",\"data\":[1,2,3]}]}"));
    }
    for (CompletableFuture<HttpResponse<String>> c : calls) {
      HttpResponse<String> r = c.join();
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    assertThat(watchdog.fired()).isEqualTo(before);
    await().atMost(Duration.ofSeconds(5)).until(() -> inference.inFlight() == 0);
  }

  @Test
  void aRequestTheDeviceNeverAnswersIsAnsweredByTheWatchdog() {
    faults.forDevice("npu").hang();
    long before = watchdog.fired();
    // No deadline of its own (the model has no SLO): the watchdog's answer timeout (500 ms) bounds
    // it.
    HttpResponse<String> r = post("affine", AFFINE).join();
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).contains("\"error\"").contains("watchdog");
    // The watchdog counts its answer after sending it: the client can read the 504 first.
    await().atMost(Duration.ofSeconds(5)).until(() -> watchdog.fired() >= before + 1);
    assertThat(watchdog.fired()).isEqualTo(before + 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> inference.inFlight() == 0);
  }

  @Test
  void aClientThatGoesAwayMidRequestIsNotAnError(CapturedOutput output) throws Exception {
    faults.forDevice("npu").slow(Duration.ofMillis(400));
    for (int i = 0; i < 5; i++) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        byte[] body = AFFINE.getBytes(StandardCharsets.UTF_8);
        OutputStream out = s.getOutputStream();
        out.write(
            ("POST /v2/models/affine/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        await().atMost(Duration.ofSeconds(5)).until(() -> inference.inFlight() > 0);
      } // closed with the request in flight
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> inference.inFlight() == 0);
    assertThat(output.getAll())
        .doesNotContain("onErrorDropped")
        .doesNotContain("InferenceException");
  }

  @Test
  void errorsOfTheHttpDecoderCarryTheOipErrorBody() throws Exception {
    String longName = "m".repeat(10_000);
    String uriTooLong = raw("GET /v2/models/" + longName + "/ready HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(uriTooLong).startsWith("HTTP/1.1 414").contains("{\"error\":\"");
    String headersTooLarge =
        raw(
            "GET /v2/health/ready HTTP/1.1\r\nHost: x\r\nX-Big: "
                + "h".repeat(100_000)
                + "\r\n\r\n");
    assertThat(headersTooLarge).startsWith("HTTP/1.1 431").contains("{\"error\":\"");
  }

  /** Sends raw bytes, returns everything the server answers before it closes the connection. */
  private String raw(String request) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
