package io.edgenpu.scheduler.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.scheduler.policy.BatchPolicies;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fluid batcher's mechanics in virtual time (docs/papers/fluid-batching.md). */
class FluidBatchingMechanicsTest {
  private static final StagePlan PLAN = StagePlan.exitAfterEveryStage(4);

  /** The spec's Policy A (guarded refill) with full fresh batches, plus any overrides. */
  private static SchedulerHarness harness(Map<String, ?> overrides) {
    Map<String, Object> params = new HashMap<>(Map.of("rule", "guarded-refill", "sizing", "max"));
    params.putAll(overrides);
    return new SchedulerHarness(
        PLAN,
        SchedulerHarness.linearOracle(4, 8),
        ExitStatistics.fromCumulative(PLAN, new double[] {0.4, 0.65, 0.8, 1.0}),
        BatchPolicies.create("fluid", params),
        ModelLane.Config.simple(8));
  }

  @Test
  void answersASampleAtItsExitNotAtTheEndOfTheBatch() {
    SchedulerHarness h = harness(Map.of());
    h.submitAt(0, 0, -1); // exits after stage 0
    h.submitAt(0, 3, -1); // runs to the end
    h.run();
    // Stage 0 starts at t=0 with one sample (the device was idle), the second waits for the first
    // exit point.
    // Sample 0: stage 0 alone = 1100 us.
    assertThat(h.latencyById.get(0L)).isEqualTo(1_100_000L);
    assertThat(h.latencyById.get(1L)).isGreaterThan(h.latencyById.get(0L));
  }

  @Test
  void preemptCatchUpAndMergeGiveTheRightBatchSizePerStage() {
    SchedulerHarness h = harness(Map.of());
    h.submitAt(0, 3, -1);
    h.submitAt(0, 3, -1);
    // Two more arrive while stage 0 of the first pair runs; they catch up at the exit after stage
    // 0.
    h.submitAt(500, 3, -1);
    h.submitAt(600, 3, -1);
    h.run();
    // First arrival starts alone at t=0 (device idle): stage 0 with b=1. At its exit point the
    // other three
    // catch up through stage 0 (b=3), merge (b=4), and all four run stages 1..3 together.
    assertThat(h.batchSizesPerStage()).isEqualTo("0:1 0:3c 1:4 2:4 3:4");
    assertThat(h.preemptions).isEqualTo(1);
    assertThat(h.merges).isEqualTo(1);
    assertThat(h.latencyById).hasSize(4);
  }

  @Test
  void aRunningRequestCancelledMidStageStopsAtTheNextBoundaryAndTheRestGoOn() {
    SchedulerHarness h = harness(Map.of());
    Request cancelled = h.submitAt(0, 3, -1);
    h.submitAt(0, 3, -1);
    // Both run stage 0 together from t = 0 (the first alone: the device was idle; the second
    // catches up).
    // Cancel the first in the middle of the merged batch's stage 1.
    h.loop.schedule(3_000_000, () -> h.scheduler.cancel(cancelled));
    h.run();
    assertThat(h.failureById).containsEntry(0L, FailureReason.CANCELLED);
    assertThat(h.latencyById).containsKey(1L);
    // Stage 1 ran with both (it was running when the cancel came); from stage 2 on only the other
    // one.
    assertThat(h.batchSizesPerStage()).isEqualTo("0:1 0:1c 1:2 2:1 3:1");
    // The caller is answered at once (its request is finished); its sample leaves the batch at the
    // boundary.
    assertThat(h.answeredAt.get(0L)).isEqualTo(3_000_000L);
  }

  @Test
  void neverNestsPreemptionsArrivalsDuringCatchUpWait() {
    SchedulerHarness h = harness(Map.of());
    h.submitAt(0, 3, -1);
    h.submitAt(1, 3, -1); // arrives during stage 0 of request 0 -> catches up after stage 0
    h.submitAt(1200, 3, -1); // arrives during the catch-up group's stage 0: must not preempt it
    h.run();
    // One batch suspended at a time: the third sample waits for the merged batch's next exit point
    // (after stage 1) and catches up through stages 0 and 1 there.
    assertThat(h.batchSizesPerStage()).isEqualTo("0:1 0:1c 1:2 0:1c 1:1c 2:3 3:3");
    assertThat(h.preemptions).isEqualTo(2);
    assertThat(h.merges).isEqualTo(2);
    assertThat(h.latencyById).hasSize(3);
  }

  @Test
  void resumesTheSuspendedBatchWhenTheWholeCatchUpGroupExits() {
    SchedulerHarness g = harness(Map.of());
    g.submitAt(0, 3, -1);
    g.submitAt(
        1200, 0, -1); // arrives during stage 1; catches up after stage 1 but exits at stage 0
    g.run();
    assertThat(g.batchSizesPerStage()).isEqualTo("0:1 1:1 0:1c 2:1 3:1");
    assertThat(g.preemptions).isEqualTo(1);
    assertThat(g.merges).isZero();
    assertThat(g.resumes).isEqualTo(1);
    assertThat(g.latencyById).hasSize(2);
  }

  @Test
  void refillsOnlyWhenTheDeadlineGuardAllows() {
    // A live sample with a tight deadline: its slack cannot absorb a catch-up, so no preemption.
    SchedulerHarness tight = harness(Map.of());
    // After stage 0 (t=1100 us) the expected remaining time is 2108 us (exits may end it early), so
    // the slack
    // is 4000 - 1100 - 2108 = 792 us, less than the 1100 us catch-up.
    tight.submitAt(0, 3, 4_000);
    tight.submitAt(10, 3, -1);
    tight.run();
    assertThat(tight.preemptions).isZero();
    // The same arrivals with a loose deadline: the newcomer catches up.
    SchedulerHarness loose = harness(Map.of());
    loose.submitAt(0, 3, 50_000);
    loose.submitAt(10, 3, -1);
    loose.run();
    assertThat(loose.preemptions).isEqualTo(1);
  }

  @Test
  void ruleNeverDisablesPreemption() {
    SchedulerHarness h = harness(Map.of("rule", "never"));
    h.submitAt(0, 3, -1);
    h.submitAt(10, 3, -1);
    h.run();
    assertThat(h.preemptions).isZero();
    assertThat(h.batchSizesPerStage()).isEqualTo("0:1 1:1 2:1 3:1 0:1 1:1 2:1 3:1");
  }

  @Test
  void theExpectedCostRuleDeclinesAMergeThatCannotPay() {
    // Strictly linear stage costs (1000 b us): a merged batch saves nothing, while the live sample
    // waits for a
    // whole catch-up stage; the expected-cost rule declines, the guarded-refill rule preempts.
    SchedulerHarness b =
        new SchedulerHarness(
            PLAN,
            TableLatencyOracle.of(4, 8, (s, n) -> 1000 * n * 1000),
            ExitStatistics.fromCumulative(PLAN, new double[] {0.4, 0.65, 0.8, 1.0}),
            BatchPolicies.create("fluid", Map.of("rule", "expected-cost")),
            ModelLane.Config.simple(8));
    b.submitAt(0, 3, -1);
    b.submitAt(10, 3, -1);
    b.run();
    assertThat(b.preemptions).isZero();
    SchedulerHarness a = harness(Map.of());
    a.submitAt(0, 3, -1);
    a.submitAt(10, 3, -1);
    a.run();
    assertThat(a.preemptions).isEqualTo(1);
  }

  @Test
  void theExpectedCostRuleMergesWhenBatchingIsNearlyFree() {
    // Stage cost nearly independent of the batch (weights dominate): merging halves the work, so it
    // pays.
    SchedulerHarness h =
        new SchedulerHarness(
            PLAN,
            TableLatencyOracle.of(4, 8, (s, b) -> (1000 + 5 * b) * 1000),
            ExitStatistics.fromCumulative(PLAN, new double[] {0.1, 0.2, 0.3, 1.0}),
            BatchPolicies.create("fluid", Map.of("rule", "expected-cost")),
            ModelLane.Config.simple(8));
    h.submitAt(0, 3, -1);
    h.submitAt(10, 3, -1);
    h.run();
    assertThat(h.preemptions).isEqualTo(1);
    assertThat(h.merges).isEqualTo(1);
  }

  @Test
  void throughputSizingRunsSmallBatchesWhenBigOnesCostMorePerSample() {
    // Batch 2 is the cheapest per sample (1.5 ms for two), larger batches spill and cost 3 ms per
    // sample:
    // after the first arrival (alone, the device was idle) the queue of 6 runs as three batches of
    // 2.
    SchedulerHarness h =
        new SchedulerHarness(
            StagePlan.single(),
            TableLatencyOracle.of(
                1, 8, (s, b) -> (b == 1 ? 1000 : b == 2 ? 1500 : 3000 * b) * 1000),
            ExitStatistics.none(StagePlan.single()),
            BatchPolicies.create("fluid", Map.of()),
            ModelLane.Config.simple(8));
    for (int i = 0; i < 7; i++) {
      h.submitAt(i, 0, -1);
    }
    h.run();
    assertThat(h.batchSizesPerStage()).isEqualTo("0:1 0:2 0:2 0:2");
  }

  @Test
  void sameArrivalsGiveBitIdenticalLatencies() {
    Map<Long, Long> first = runMixed();
    Map<Long, Long> second = runMixed();
    assertThat(first).isEqualTo(second).hasSize(200);
  }

  private static Map<Long, Long> runMixed() {
    SchedulerHarness h = harness(Map.of());
    SplittableRandom rnd = new SplittableRandom(42);
    long t = 0;
    for (int i = 0; i < 200; i++) {
      t += (long) (-Math.log(1 - rnd.nextDouble()) * 700);
      h.submitAt(t, rnd.nextInt(4), t + 20_000);
    }
    h.run();
    return h.latencyById;
  }
}
