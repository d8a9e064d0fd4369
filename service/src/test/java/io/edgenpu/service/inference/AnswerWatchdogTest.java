package io.edgenpu.service.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The watchdog answers exactly the requests that are overdue by more than its grace, once each
 * (fake clock).
 */
class AnswerWatchdogTest {
  private final AtomicLong now = new AtomicLong();
  private final AnswerWatchdog watchdog =
      new AnswerWatchdog(Duration.ofSeconds(1), Duration.ofMillis(100), now::get, false);

  private record Target(long dueNanos, List<String> answers) implements AnswerWatchdog.Watched {
    @Override
    public boolean expire(String message) {
      answers.add(message);
      return true;
    }
  }

  @Test
  void answersOverdueRequestsOnceAndLeavesTheOthers() {
    List<String> late = new ArrayList<>();
    List<String> onTime = new ArrayList<>();
    List<String> unwatched = new ArrayList<>();
    watchdog.watch(new Target(0, late));
    watchdog.watch(new Target(5_000_000_000L, onTime));
    long key = watchdog.watch(new Target(0, unwatched));
    watchdog.unwatch(key); // answered by the device in time
    now.set(900_000_000L);
    watchdog.sweep();
    assertThat(late).isEmpty(); // within the grace
    now.set(1_500_000_000L);
    watchdog.sweep();
    watchdog.sweep();
    assertThat(late).hasSize(1).allMatch(m -> m.contains("watchdog"));
    assertThat(onTime).isEmpty();
    assertThat(unwatched).isEmpty();
    assertThat(watchdog.fired()).isEqualTo(1);
    assertThat(watchdog.size()).isEqualTo(1);
  }
}
