package io.edgenpu.scheduler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Timers fire in (time, submission) order; a cancelled timer lets go of its task and never fires.
 */
class TimerQueueTest {
  @Test
  void aCancelledTimerLetsGoOfItsTaskAtOnce() {
    TimerQueue q = new TimerQueue();
    TimerQueue.Timer t = q.add(30_000_000_000L, () -> {});
    t.cancel();
    assertThat(t.cancelled())
        .as("the task (and the batch it captures) is no longer reachable from the queue")
        .isTrue();
    assertThat(q.peek()).isNull();
  }

  @Test
  void manyCancelledTimersArePurgedAndLiveOnesKeepTheirOrder() {
    TimerQueue q = new TimerQueue();
    List<Integer> fired = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      int n = i;
      TimerQueue.Timer t = q.add(1_000_000L - i, () -> fired.add(n));
      if (i % 10 != 0) {
        t.cancel();
      }
    }
    assertThat(q.size()).as("cancelled timers do not pile up").isLessThan(300);
    TimerQueue.Timer t;
    while ((t = q.poll()) != null) {
      t.fire().run();
    }
    assertThat(fired).hasSize(100).isSortedAccordingTo((a, b) -> Integer.compare(b, a));
  }

  @Test
  void tiesFireInSubmissionOrder() {
    TimerQueue q = new TimerQueue();
    List<Integer> fired = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      q.add(42, () -> fired.add(n));
    }
    TimerQueue.Timer t;
    while ((t = q.poll()) != null) {
      t.fire().run();
    }
    assertThat(fired).containsExactly(0, 1, 2, 3, 4);
  }
}
