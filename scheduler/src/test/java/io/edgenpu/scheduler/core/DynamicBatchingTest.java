package io.edgenpu.scheduler.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.scheduler.loop.VirtualEventLoop;
import io.edgenpu.scheduler.policy.BatchPolicies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Triton-style dynamic batching on the scheduler core, in virtual time. */
class DynamicBatchingTest {
  private static final StagePlan PLAN = StagePlan.single();

  private static SchedulerHarness harness(Map<String, ?> params, ModelLane.Config config) {
    return new SchedulerHarness(
        PLAN,
        SchedulerHarness.linearOracle(1, 8),
        ExitStatistics.none(PLAN),
        BatchPolicies.create("dynamic", params),
        config);
  }

  @Test
  void withoutADelayTheFirstArrivalStartsAloneAndTheRestBatchBehindIt() {
    SchedulerHarness h = harness(Map.of(), ModelLane.Config.simple(8));
    for (int i = 0; i < 5; i++) {
      h.submitAt(i, 0, -1);
    }
    h.run();
    assertThat(h.batchSizesPerStage()).isEqualTo("0:1 0:4");
  }

  @Test
  void waitsForTheQueueDelayThenDispatchesWhatIsThere() {
    SchedulerHarness h = harness(Map.of("max-queue-delay", "2ms"), ModelLane.Config.simple(8));
    h.submitAt(0, 0, -1);
    h.submitAt(500, 0, -1);
    h.submitAt(900, 0, -1);
    h.run();
    assertThat(h.batchSizesPerStage()).isEqualTo("0:3");
    // The batch starts when the oldest sample has waited 2 ms, and takes 1000 + 3 x 100 us.
    assertThat(h.answeredAt.get(0L)).isEqualTo(2_000_000L + 1_300_000L);
  }

  @Test
  void aFullBatchGoesAtOnce() {
    SchedulerHarness h = harness(Map.of("max-queue-delay", "1s"), ModelLane.Config.simple(4));
    for (int i = 0; i < 4; i++) {
      h.submitAt(10L * i, 0, -1);
    }
    h.run();
    assertThat(h.batchSizesPerStage()).isEqualTo("0:4");
    assertThat(h.answeredAt.get(0L)).isEqualTo(30_000L + 1_400_000L);
  }

  @Test
  void aPreferredBatchSizeGoesAsSoonAsItCanBeFormed() {
    SchedulerHarness h =
        harness(
            Map.of("max-queue-delay", "1s", "preferred-batch-sizes", List.of(2)),
            ModelLane.Config.simple(8));
    h.submitAt(0, 0, -1);
    h.submitAt(100, 0, -1);
    h.submitAt(200, 0, -1);
    h.run();
    assertThat(h.batchSizesPerStage()).isEqualTo("0:2 0:1");
    assertThat(h.answeredAt.get(0L)).isEqualTo(100_000L + 1_200_000L);
  }

  @Test
  void higherPriorityLevelsGoFirst() {
    ModelLane.Config cfg =
        new ModelLane.Config(
            1,
            List.of(QueuePolicy.UNBOUNDED, QueuePolicy.UNBOUNDED),
            2,
            SampleQueue.Order.FIFO,
            false,
            Duration.ZERO,
            false);
    SchedulerHarness h = harness(Map.of(), cfg);
    h.submitAt(0, 0, -1, 2); // occupies the device
    h.submitAt(10, 0, -1, 2);
    h.submitAt(20, 0, -1, 2);
    h.submitAt(30, 0, -1, 1); // arrives last, served first after the running one
    h.run();
    assertThat(h.answeredAt.get(3L)).isLessThan(h.answeredAt.get(1L));
    assertThat(h.answeredAt.get(1L)).isLessThan(h.answeredAt.get(2L));
  }

  @Test
  void aFullQueueRejectsAtOnce() {
    ModelLane.Config cfg =
        new ModelLane.Config(
            1,
            List.of(new QueuePolicy(2, Duration.ZERO, true)),
            1,
            SampleQueue.Order.FIFO,
            false,
            Duration.ZERO,
            false);
    SchedulerHarness h = harness(Map.of(), cfg);
    for (int i = 0; i < 5; i++) {
      h.submitAt(i, 0, -1);
    }
    h.run();
    // One runs, two wait, the last two are refused when they arrive.
    assertThat(h.failureById).containsOnlyKeys(3L, 4L).containsValue(FailureReason.REJECTED);
    assertThat(h.answeredAt.get(3L)).isEqualTo(3_000L);
    assertThat(h.latencyById).containsOnlyKeys(0L, 1L, 2L);
  }

  @Test
  void aQueueTimeoutRejectsWhatWaitedTooLong() {
    ModelLane.Config cfg =
        new ModelLane.Config(
            1,
            List.of(new QueuePolicy(0, Duration.ofMillis(1), true)),
            1,
            SampleQueue.Order.FIFO,
            false,
            Duration.ZERO,
            false);
    SchedulerHarness h = harness(Map.of(), cfg);
    h.submitAt(0, 0, -1); // runs for 1.1 ms
    h.submitAt(10, 0, -1); // would start at 1.1 ms but times out at 1.01 ms
    h.run();
    assertThat(h.failureById).containsEntry(1L, FailureReason.QUEUE_TIMEOUT);
    assertThat(h.answeredAt.get(1L)).isEqualTo(1_010_000L);
  }

  @Test
  void aDeadlinePassedWhileQueuedIsAnsweredThenAndNeverRuns() {
    SchedulerHarness h = harness(Map.of(), ModelLane.Config.simple(1).withDropLate(true));
    h.submitAt(0, 0, -1);
    h.submitAt(10, 0, 500); // deadline at 0.5 ms, while the first still runs
    h.run();
    assertThat(h.failureById).containsEntry(1L, FailureReason.DEADLINE_EXCEEDED);
    assertThat(h.answeredAt.get(1L)).isEqualTo(500_000L);
    assertThat(h.stageStarts).hasSize(1);
  }

  @Test
  void aCancelledQueuedRequestNeverRuns() {
    SchedulerHarness h = harness(Map.of(), ModelLane.Config.simple(1));
    h.submitAt(0, 0, -1);
    Request second = h.submitAt(10, 0, -1);
    h.loop.schedule(20_000, () -> h.scheduler.cancel(second));
    h.run();
    assertThat(h.failureById).containsEntry(1L, FailureReason.CANCELLED);
    assertThat(h.stageStarts).hasSize(1);
  }

  @Test
  void aFailingDeviceFailsTheBatchAndTheSchedulerGoesOn() {
    StagePlan plan = StagePlan.single();
    VirtualEventLoop loop = new VirtualEventLoop();
    int[] calls = {0};
    Accelerator flaky =
        (batch, done) -> {
          boolean fail = calls[0]++ == 0;
          loop.schedule(
              loop.now() + 1000,
              () ->
                  done.accept(
                      fail
                          ? StageOutcome.failed(new IllegalStateException("boom"), 1000)
                          : StageOutcome.success(null, 1000)));
        };
    DeviceScheduler s = new DeviceScheduler("d", loop, flaky, null);
    s.register(
        new ModelLane(
            "m",
            plan,
            SchedulerHarness.linearOracle(1, 8),
            ExitStatistics.none(plan),
            BatchPolicies.create("dynamic"),
            ModelLane.Config.simple(8)));
    List<String> outcomes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Request r =
          Request.builder(
                  "m",
                  new RequestListener() {
                    @Override
                    public void onCompleted(Request req) {
                      outcomes.add("ok");
                    }

                    @Override
                    public void onFailed(Request req, FailureReason reason, String message) {
                      outcomes.add(reason.name());
                    }
                  })
              .samples(1, k -> null)
              .build();
      s.submit(r);
    }
    loop.runUntilIdle();
    // The first batch (one sample, started on arrival) fails; the next batch (the other two)
    // succeeds.
    assertThat(outcomes).containsExactly("BACKEND", "ok", "ok");
  }
}
