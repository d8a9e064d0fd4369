package io.edgenpu.service.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgenpu.service.device.Device;
import io.edgenpu.service.device.FaultInjector;
import io.edgenpu.service.device.FaultInjectors;
import io.edgenpu.service.testing.TestModels;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Backend faults injected under the NPU device's guards: a failing backend opens the circuit
 * breaker and requests then fail fast with 503 + Retry-After; a hanging one is cut by the time
 * limiter and its stuck call fills the bulkhead (503 at once); in both cases the service serves
 * again once the backend recovers.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.grpc.server.address=127.0.0.1:0",
      "server.address=127.0.0.1",
      "logging.level.root=WARN",
      "edgenpu.npu.time-scale=100000",
      "edgenpu.dashboard.enabled=false",
      "edgenpu.resilience.fault-injection=true",
      "edgenpu.resilience.minimum-calls=3",
      "edgenpu.resilience.sliding-window=4",
      "edgenpu.resilience.open-wait=500ms",
      "edgenpu.resilience.stage-timeout=300ms",
      "edgenpu.resilience.max-concurrent-blocking-calls=1"
    })
class BackendFaultsIntegrationTest {
  private static final String BODY =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}";

  @DynamicPropertySource
  static void repository(DynamicPropertyRegistry r) throws IOException {
    Path repo = TestModels.repository(Files.createTempDirectory("edgenpu-faults-repo"));
    r.add("edgenpu.model-repository", repo::toString);
  }

  @LocalServerPort int port;

  @Autowired FaultInjectors faults;

  @Autowired Map<String, Device> devices;

  WebTestClient http;
  FaultInjector npu;
  CircuitBreaker breaker;

  @BeforeEach
  void setUp() {
    http =
        WebTestClient.bindToServer()
            .baseUrl("http://127.0.0.1:" + port)
            .responseTimeout(Duration.ofSeconds(30))
            .build();
    npu = faults.forDevice("npu");
    breaker = devices.get("npu").guard().breaker();
  }

  @AfterEach
  void heal() {
    faults.clearAll();
    breaker.reset();
  }

  private EntityExchangeResult<String> infer() {
    return http.post()
        .uri("/v2/models/affine/infer")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(BODY)
        .exchange()
        .expectBody(String.class)
        .returnResult();
  }

  @Test
  void aFailingBackendOpensTheBreakerThenRequestsFailFastUntilItRecovers() {
    assertThat(infer().getStatus().value()).isEqualTo(200);
    npu.fail();
    // Minimum 3 calls, threshold 50 %: one success and two failures open the breaker.
    for (int i = 0; i < 2; i++) {
      EntityExchangeResult<String> r = infer();
      assertThat(r.getStatus().value()).as(i + ": " + r.getResponseBody()).isEqualTo(500);
      assertThat(r.getResponseBody()).contains("injected backend failure");
    }
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    long callsBefore =
        breaker.getMetrics().getNumberOfBufferedCalls()
            + breaker.getMetrics().getNumberOfNotPermittedCalls();
    EntityExchangeResult<String> refused = infer();
    assertThat(refused.getStatus().value()).isEqualTo(503);
    assertThat(refused.getResponseHeaders().getFirst("Retry-After")).isNotNull();
    assertThat(refused.getResponseBody()).contains("circuit breaker open");
    // Refused at admission: the backend was not called, not even to be refused by the breaker.
    assertThat(
            breaker.getMetrics().getNumberOfBufferedCalls()
                + breaker.getMetrics().getNumberOfNotPermittedCalls())
        .isEqualTo(callsBefore);

    npu.clear();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> infer().getStatus().value() == 200);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              infer();
              return breaker.getState() == CircuitBreaker.State.CLOSED;
            });
    assertThat(infer().getStatus().value()).isEqualTo(200);
  }

  @Test
  void aHangingBackendIsCutByTheTimeLimiterAndItsStuckCallFillsTheBulkhead() {
    npu.hang();
    EntityExchangeResult<String> timedOut = infer();
    assertThat(timedOut.getStatus().value()).isEqualTo(503);
    assertThat(timedOut.getResponseBody()).contains("time limit");
    // The hung call still holds the device's only bulkhead slot: the next stage is refused at once.
    EntityExchangeResult<String> full = infer();
    assertThat(full.getStatus().value()).isEqualTo(503);
    assertThat(full.getResponseBody()).contains("bulkhead full");

    npu.clear(); // the hung call returns (as failed), freeing the slot
    breaker.reset();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> infer().getStatus().value() == 200);
  }

  @Test
  void aSlowBackendStillServesWithinTheTimeLimit() {
    npu.slow(Duration.ofMillis(50));
    EntityExchangeResult<String> r = infer();
    assertThat(r.getStatus().value()).as(r.getResponseBody()).isEqualTo(200);
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
  }
}
