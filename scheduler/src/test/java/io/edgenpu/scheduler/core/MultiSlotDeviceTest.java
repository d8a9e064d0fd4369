package io.edgenpu.scheduler.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.scheduler.policy.BatchPolicies;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A device with several execution slots (a CPU running a model's batches on several cores, as
 * Triton's instance groups do): batches run side by side, the work-conserving batcher fills every
 * free slot, and preemption (an NPU mechanism) never happens.
 */
class MultiSlotDeviceTest {
  private static SchedulerHarness harness(StagePlan plan, String policy, int slots) {
    return new SchedulerHarness(
        plan,
        SchedulerHarness.linearOracle(plan.stageCount(), 8),
        plan.stageCount() == 1
            ? ExitStatistics.none(plan)
            : ExitStatistics.fromCumulative(plan, new double[] {0.4, 0.65, 0.8, 1.0}),
        BatchPolicies.create(
            policy, policy.equals("fluid") ? Map.of("rule", "guarded-refill") : Map.of()),
        ModelLane.Config.simple(8),
        null,
        slots);
  }

  @Test
  void twoSlotsRunTwoLoneRequestsSideBySide() {
    SchedulerHarness h = harness(StagePlan.single(), "work-conserving", 2);
    h.submitAt(0, 0, -1);
    h.submitAt(10, 0, -1);
    h.run();
    assertThat(h.batchSizesPerStage()).isEqualTo("0:1 0:1");
    assertThat(h.answeredAt.get(0L)).isEqualTo(1_100_000L);
    assertThat(h.answeredAt.get(1L)).isEqualTo(1_110_000L); // did not wait for the first
  }

  @Test
  void whileBothSlotsAreBusyArrivalsAccumulateIntoTheNextBatch() {
    SchedulerHarness h = harness(StagePlan.single(), "work-conserving", 2);
    for (int i = 0; i < 8; i++) {
      h.submitAt(10L * i, 0, -1);
    }
    h.run();
    // Two start alone at once; the six that arrive meanwhile are one batch when the first slot
    // frees.
    assertThat(h.batchSizesPerStage()).isEqualTo("0:1 0:1 0:6");
    assertThat(h.answers.values()).allMatch(n -> n == 1);
  }

  @Test
  void preemptionIsAnNpuMechanismAndNeverHappensWithSeveralSlots() {
    SchedulerHarness h = harness(StagePlan.exitAfterEveryStage(4), "fluid", 2);
    h.submitAt(0, 3, -1);
    h.submitAt(0, 3, -1);
    h.submitAt(500, 3, -1);
    h.submitAt(600, 3, -1);
    h.run();
    assertThat(h.preemptions).isZero();
    assertThat(h.latencyById).hasSize(4);
  }
}
