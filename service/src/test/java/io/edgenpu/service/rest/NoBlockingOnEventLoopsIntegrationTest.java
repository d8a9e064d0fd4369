package io.edgenpu.service.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgenpu.service.testing.BlockingCalls;
import io.edgenpu.service.testing.ToyServerTestBase;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * BlockHound watches every non-blocking thread of the running server (Reactor Netty's event loops,
 * gRPC's Netty event loops, Reactor's parallel scheduler). This test first proves the detector is
 * armed, then drives inference, repository load/unload and metadata traffic; the base class asserts
 * afterwards that no blocking call happened on those threads (ONNX Runtime runs on the compute
 * executor).
 */
class NoBlockingOnEventLoopsIntegrationTest extends ToyServerTestBase {
  @Test
  void detectorIsArmed() {
    Scheduler selfTest = Schedulers.newParallel(BlockingCalls.SELF_TEST_THREAD, 1);
    try {
      assertThatThrownBy(
              () ->
                  Mono.fromCallable(
                          () -> {
                            Thread.sleep(1);
                            return 1;
                          })
                      .subscribeOn(selfTest)
                      .block(Duration.ofSeconds(5)))
          .hasMessageContaining("Blocking call");
      assertThat(BlockingCalls.seenBySelfTest()).isNotEmpty();
    } finally {
      selfTest.dispose();
    }
  }

  @Test
  void servingTrafficNeverBlocksAnEventLoop() {
    for (int i = 0; i < 20; i++) {
      http.post()
          .uri("/v2/models/affine/infer")
          .contentType(MediaType.APPLICATION_JSON)
          .bodyValue(
              "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,"
                  + i
                  + "]}]}")
          .exchange()
          .expectStatus()
          .isOk();
    }
    http.post().uri("/v2/repository/models/echo-int/unload").exchange().expectStatus().isOk();
    http.post().uri("/v2/repository/models/echo-int/load").exchange().expectStatus().isOk();
    http.get().uri("/v2/models/affine/stats").exchange().expectStatus().isOk();
    assertThat(BlockingCalls.seen()).isEmpty();
  }
}
