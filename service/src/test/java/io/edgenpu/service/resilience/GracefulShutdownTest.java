package io.edgenpu.service.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.service.EdgeNpuApplication;
import io.edgenpu.service.testing.TestModels;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Shutdown during load loses no accepted request: requests queued on a slow device are all answered
 * with 200 while the server drains; meanwhile readiness is 503 and new requests are refused with
 * 503 + Retry-After. The server runs in its own application context, closed by the test.
 */
class GracefulShutdownTest {
  private static final String BODY =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,"
          + TestModels.SLOW_WIDTH
          + "],\"datatype\":\"FP32\",\"data\":["
          + "0,".repeat(TestModels.SLOW_WIDTH - 1)
          + "1]}]}";

  @Test
  void drainingAnswersEveryAcceptedRequestAndRefusesNewOnes() throws Exception {
    Path repo = TestModels.repository(Files.createTempDirectory("edgenpu-drain-repo"));
    ConfigurableApplicationContext ctx =
        SpringApplication.run(
            EdgeNpuApplication.class,
            "--server.port=0",
            "--server.address=127.0.0.1",
            "--spring.grpc.server.address=127.0.0.1:0",
            "--edgenpu.model-repository=" + repo,
            "--edgenpu.npu.time-scale=100000",
            "--logging.level.root=WARN",
            "--edgenpu.dashboard.enabled=false");
    int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
    WebClient client = WebClient.create("http://127.0.0.1:" + port);

    // 16 requests queue on slow-no-admission (4 per 74 ms batch, so the last waits about 300 ms).
    List<Integer> statuses = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> load =
        Flux.range(0, 16)
            .flatMap(i -> status(client, "/v2/models/slow-no-admission/infer"), 16)
            .doOnNext(statuses::add)
            .then()
            .toFuture();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pendingOf(client) >= 8);

    CompletableFuture<Void> closing = CompletableFuture.runAsync(ctx::close);
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                status(client, "/v2/health/ready").onErrorReturn(-1).block(Duration.ofSeconds(5))
                    == 503);
    int refused = status(client, "/v2/models/slow-no-admission/infer").block(Duration.ofSeconds(5));

    load.get(30, TimeUnit.SECONDS);
    closing.get(30, TimeUnit.SECONDS);
    assertThat(statuses).hasSize(16).containsOnly(200);
    assertThat(refused).isEqualTo(503);
  }

  @Test
  void aClientThatKeepsAConnectionBusyCannotHoldTheShutdownOpen() throws Exception {
    Path repo = TestModels.repository(Files.createTempDirectory("edgenpu-drain-repo"));
    ConfigurableApplicationContext ctx =
        SpringApplication.run(
            EdgeNpuApplication.class,
            "--server.port=0",
            "--server.address=127.0.0.1",
            "--spring.grpc.server.address=127.0.0.1:0",
            "--edgenpu.model-repository=" + repo,
            "--logging.level.root=WARN",
            "--edgenpu.dashboard.enabled=false",
            "--edgenpu.shutdown.drain-timeout=1s");
    int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
    AtomicBoolean toldToClose = new AtomicBoolean();
    AtomicInteger answers = new AtomicInteger();
    Thread hammer =
        new Thread(
            () -> {
              try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(5_000);
                var out = s.getOutputStream();
                var in =
                    new BufferedReader(
                        new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                while (true) { // one keep-alive connection, never idle, until the server closes it
                  out.write(
                      "GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n"
                          .getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                  int length = 0;
                  String line = in.readLine();
                  if (line == null) {
                    return;
                  }
                  for (line = in.readLine();
                      line != null && !line.isEmpty();
                      line = in.readLine()) {
                    if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                      length = Integer.parseInt(line.substring(15).trim());
                    }
                    if (line.equalsIgnoreCase("connection: close")) {
                      toldToClose.set(true);
                    }
                  }
                  in.skip(length);
                  answers.incrementAndGet();
                }
              } catch (IOException e) {
                // the server closed the connection: done
              }
            });
    hammer.start();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> answers.get() > 10); // the connection is busy
    CompletableFuture.runAsync(ctx::close).get(30, TimeUnit.SECONDS); // and cannot hold this
    hammer.join(10_000);
    assertThat(toldToClose).isTrue();
    assertThat(hammer.isAlive()).isFalse();
  }

  private static int pendingOf(WebClient client) {
    String body =
        client
            .get()
            .uri("/actuator/prometheus")
            .retrieve()
            .bodyToMono(String.class)
            .block(Duration.ofSeconds(5));
    return (int)
        body.lines()
            .filter(
                l -> l.startsWith("edgenpu_pending_requests{") && l.contains("slow-no-admission"))
            .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
            .sum();
  }

  private static Mono<Integer> status(WebClient client, String uri) {
    WebClient.RequestHeadersSpec<?> spec =
        uri.endsWith("/infer")
            ? client.post().uri(uri).contentType(MediaType.APPLICATION_JSON).bodyValue(BODY)
            : client.get().uri(uri);
    return spec.exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value()));
  }
}
