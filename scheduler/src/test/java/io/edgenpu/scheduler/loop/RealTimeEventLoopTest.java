package io.edgenpu.scheduler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Nothing handed to the real-time loop is dropped: not on close, not after close, not after a task
 * throws.
 */
class RealTimeEventLoopTest {
  @Test
  void closeRunsEveryTaskSubmittedBeforeIt() throws Exception {
    RealTimeEventLoop loop = new RealTimeEventLoop("test-loop");
    List<Integer> ran = new CopyOnWriteArrayList<>();
    CountDownLatch gate = new CountDownLatch(1);
    loop.execute(
        () -> {
          try {
            gate.await(
                5, TimeUnit.SECONDS); // holds the loop so that the next tasks queue up behind it
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    for (int i = 0; i < 100; i++) {
      int n = i;
      loop.execute(() -> ran.add(n));
    }
    Thread closer = new Thread(loop::close);
    closer.start();
    gate.countDown();
    closer.join(10_000);
    assertThat(ran).hasSize(100);
    assertThat(ran).isSorted();
  }

  @Test
  void aTaskSubmittedAfterCloseRunsOnTheSubmitter() {
    RealTimeEventLoop loop = new RealTimeEventLoop("test-loop");
    loop.close();
    List<String> ran = new CopyOnWriteArrayList<>();
    loop.execute(() -> ran.add(Thread.currentThread().getName()));
    assertThat(ran).containsExactly(Thread.currentThread().getName());
    assertThat(loop.schedule(loop.now(), () -> ran.add("timer"))).isSameAs(Cancellable.NONE);
  }

  @Test
  void aThrowingTaskIsCountedAndTheLoopGoesOn() throws Exception {
    RealTimeEventLoop loop = new RealTimeEventLoop("test-loop");
    CountDownLatch after = new CountDownLatch(1);
    loop.execute(
        () -> {
          throw new IllegalStateException("task bug");
        });
    loop.execute(after::countDown);
    assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(loop.failedTasks()).isEqualTo(1);
    loop.close();
  }
}
