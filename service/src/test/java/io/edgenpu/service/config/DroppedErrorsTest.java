package io.edgenpu.service.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** Only an executor's refusal (directly or as a cause) counts as the known shutdown race. */
class DroppedErrorsTest {
  @Test
  void aRejectedTaskIsTheShutdownRaceAndAnythingElseIsNot() {
    assertThat(
            DroppedErrors.isTerminatedEventLoop(
                new RejectedExecutionException("event executor terminated")))
        .isTrue();
    assertThat(
            DroppedErrors.isTerminatedEventLoop(
                new IllegalStateException("wrapped", new RejectedExecutionException("x"))))
        .isTrue();
    assertThat(DroppedErrors.isTerminatedEventLoop(new IOException("connection reset"))).isFalse();
    assertThat(DroppedErrors.isTerminatedEventLoop(new IllegalStateException("boom"))).isFalse();
  }
}
