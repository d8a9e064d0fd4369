package io.edgenpu.scheduler.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.scheduler.policy.BatchPolicies;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Work-conserving batching (the default for plain models) on the scheduler core, in virtual time.
 */
class WorkConservingBatchingTest {
  private static final StagePlan PLAN = StagePlan.single();

  /** Stage time (1000 + 100 b) us. */
  private static SchedulerHarness harness(Map<String, ?> params, int maxBatch) {
    return new SchedulerHarness(
        PLAN,
        SchedulerHarness.linearOracle(1, 8),
        ExitStatistics.none(PLAN),
        BatchPolicies.create("work-conserving", params),
        ModelLane.Config.simple(maxBatch));
  }

  @Test
  void aLoneRequestOnAnIdleDeviceStartsAtOnce() {
    SchedulerHarness h = harness(Map.of(), 8);
    h.submitAt(0, 0, -1);
    h.run();
    assertThat(h.answeredAt.get(0L)).isEqualTo(1_100_000L); // no window: arrival + its own run
  }

  @Test
  void requestsThatArriveWhileTheDeviceIsBusyRunAsOneBatchWhenItFrees() {
    SchedulerHarness h = harness(Map.of(), 8);
    for (int i = 0; i < 6; i++) {
      h.submitAt(100L * i, 0, -1);
    }
    h.run();
    assertThat(h.batchSizesPerStage()).isEqualTo("0:1 0:5");
  }

  @Test
  void theBatchIsCappedByTheMaxBatchSize() {
    SchedulerHarness h = harness(Map.of(), 4);
    for (int i = 0; i < 10; i++) {
      h.submitAt(10L * i, 0, -1);
    }
    h.run();
    assertThat(h.batchSizesPerStage()).isEqualTo("0:1 0:4 0:4 0:1");
  }

  @Test
  void theBatchIsRoundedDownToAPreferredSize() {
    SchedulerHarness h = harness(Map.of("preferred-batch-sizes", List.of(2, 4)), 8);
    for (int i = 0; i < 8; i++) {
      h.submitAt(10L * i, 0, -1);
    }
    h.run();
    // 1 alone at t=0; then 7 waiting -> 4 (preferred), then 3 -> 2, then 1 (no preferred size fits:
    // take it).
    assertThat(h.batchSizesPerStage()).isEqualTo("0:1 0:4 0:2 0:1");
  }

  @Test
  void theBatchIsCutSoThatTheHeadRequestMeetsItsDeadline() {
    SchedulerHarness h = harness(Map.of(), 8);
    h.submitAt(0, 0, -1); // occupies the device until 1100 us
    h.submitAt(10, 0, 2_600); // head of the next batch: must end by 2600 us
    for (int i = 0; i < 6; i++) {
      h.submitAt(20 + i, 0, -1);
    }
    h.run();
    // At 1100 us, 7 are queued: a batch of 7 ends at 1100 + 1700 = 2800 > 2600; the largest that
    // ends in time
    // is 5 (1100 + 1500 = 2600), so the head meets its deadline and the last two run next.
    assertThat(h.batchSizesPerStage()).isEqualTo("0:1 0:5 0:2");
    assertThat(h.answeredAt.get(1L)).isLessThanOrEqualTo(2_600_000L);
  }

  @Test
  void isTheDefaultOfPlainModelsAndNeverWaitsLikeAWindowWould() {
    SchedulerHarness window =
        new SchedulerHarness(
            PLAN,
            SchedulerHarness.linearOracle(1, 8),
            ExitStatistics.none(PLAN),
            BatchPolicies.create(
                "dynamic",
                Map.of("max-queue-delay", "500us", "preferred-batch-sizes", List.of(4, 8))),
            ModelLane.Config.simple(8));
    SchedulerHarness conserving = harness(Map.of(), 8);
    for (SchedulerHarness h : List.of(window, conserving)) {
      h.submitAt(0, 0, -1);
      h.run();
    }
    assertThat(window.answeredAt.get(0L) - conserving.answeredAt.get(0L)).isEqualTo(500_000L);
  }
}
