package io.edgenpu.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgenpu.scheduler.core.SampleQueue;
import io.edgenpu.scheduler.core.StagePlan;
import io.edgenpu.scheduler.policy.internal.AimdPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each batching policy called directly with a hand-set context: what it starts, waits for and
 * preempts.
 */
class BatchPoliciesTest {
  @Test
  void theRegistryKnowsEveryPolicyAndRefusesUnknownNamesAndParameters() {
    assertThat(BatchPolicies.names())
        .containsExactlyInAnyOrder(
            "fluid", "work-conserving", "dynamic", "fcfs", "aimd", "lazy", "edf");
    for (String name : BatchPolicies.names()) {
      assertThat(BatchPolicies.create(name).name()).isEqualTo(name);
    }
    assertThatThrownBy(() -> BatchPolicies.create("psychic")).hasMessageContaining("known");
    assertThatThrownBy(() -> BatchPolicies.create("dynamic", Map.of("speed", 3)))
        .hasMessageContaining("speed");
    assertThatThrownBy(() -> BatchPolicies.create("dynamic", Map.of("max-queue-delay", "-1ms")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BatchPolicies.create("aimd", Map.of("backoff", 1.5)))
        .hasMessageContaining("backoff");
  }

  @Test
  void nothingQueuedMeansNothingToStartForEveryPolicy() {
    for (String name : BatchPolicies.names()) {
      PolicyContextStub ctx =
          name.equals("fluid") || name.equals("lazy")
              ? PolicyContextStub.earlyExit(8)
              : PolicyContextStub.single(8);
      assertThat(BatchPolicies.create(name).onIdle(ctx)).as(name).isEqualTo(IdleDecision.NOTHING);
    }
  }

  @Test
  void fcfsStartsOneSampleAtATime() {
    PolicyContextStub ctx = PolicyContextStub.single(8);
    for (int i = 0; i < 5; i++) {
      ctx.enqueue(-1);
    }
    assertThat(BatchPolicies.create("fcfs").onIdle(ctx)).isEqualTo(IdleDecision.start(1));
  }

  @Test
  void dynamicBatchingWaitsForItsWindowThenTakesWhatIsThere() {
    BatchPolicy p =
        BatchPolicies.create(
            "dynamic", Map.of("max-queue-delay", "2ms", "preferred-batch-sizes", List.of(4)));
    PolicyContextStub ctx = PolicyContextStub.single(8);
    ctx.enqueue(-1);
    ctx.enqueue(-1);
    assertThat(p.onIdle(ctx)).isEqualTo(IdleDecision.waitUntil(2_000_000));
    ctx.now = 2_000_000;
    assertThat(p.onIdle(ctx)).isEqualTo(IdleDecision.start(2));
    ctx.enqueue(-1);
    ctx.enqueue(-1);
    ctx.now = 2_000_001;
    assertThat(p.onIdle(ctx)).as("a preferred size goes at once").isEqualTo(IdleDecision.start(4));
  }

  @Test
  void workConservingStartsAtOnceBoundedByTheMaxAndThePreferredSizes() {
    PolicyContextStub ctx = PolicyContextStub.single(4);
    for (int i = 0; i < 7; i++) {
      ctx.enqueue(-1);
    }
    assertThat(BatchPolicies.create("work-conserving").onIdle(ctx))
        .isEqualTo(IdleDecision.start(4));
    PolicyContextStub three = PolicyContextStub.single(8);
    for (int i = 0; i < 3; i++) {
      three.enqueue(-1);
    }
    assertThat(
            BatchPolicies.create("work-conserving", Map.of("preferred-batch-sizes", List.of(2, 4)))
                .onIdle(three))
        .isEqualTo(IdleDecision.start(2));
  }

  @Test
  void edfStartsTheFullBatchFromAQueueOrderedByDeadline() {
    BatchPolicy p = BatchPolicies.create("edf");
    assertThat(p.requiredQueueOrder()).isEqualTo(SampleQueue.Order.EARLIEST_DEADLINE);
    PolicyContextStub ctx =
        new PolicyContextStub(StagePlan.single(), null, 8, SampleQueue.Order.EARLIEST_DEADLINE);
    ctx.enqueue(5_000);
    ctx.enqueue(1_000);
    assertThat(ctx.queue().peek().request().deadlineNanos()).isEqualTo(1_000_000);
    assertThat(p.onIdle(ctx)).isEqualTo(IdleDecision.start(2));
  }

  @Test
  void aimdGrowsItsCapAfterBatchesWithinTheSloAndBacksOffAfterOneOverIt() {
    AimdPolicy p =
        (AimdPolicy)
            BatchPolicies.create("aimd", Map.of("step", 2, "backoff", 0.5, "initial-cap", 2));
    PolicyContextStub ctx = PolicyContextStub.single(8);
    ctx.sloNanos = 10_000_000;
    for (int i = 0; i < 8; i++) {
      ctx.enqueue(-1);
    }
    assertThat(p.onIdle(ctx)).isEqualTo(IdleDecision.start(2));
    ctx.now = 5_000_000;
    p.onBatchFinished(ctx, 0, 2, 5_000_000); // within the SLO, full batch: grow
    assertThat(p.cap()).isEqualTo(4);
    ctx.now = 30_000_000;
    p.onBatchFinished(ctx, 10_000_000, 4, 20_000_000); // took 20 ms > 10 ms: back off
    assertThat(p.cap()).isEqualTo(2);
  }

  @Test
  void fluidPreemptsOnlyWhenItPaysAndNeverWithABatchSuspended() {
    BatchPolicy p = BatchPolicies.create("fluid", Map.of("rule", "guarded-refill"));
    PolicyContextStub ctx = PolicyContextStub.earlyExit(8);
    ctx.enqueue(-1);
    ctx.enqueue(-1);
    // Two running samples with plenty of slack after stage 0: the two queued ones catch up.
    RunningBatch batch = new RunningBatch(0, ctx.running(1_000_000, 1_000_000), false);
    assertThat(p.afterStage(ctx, batch)).isEqualTo(StageDecision.preempt(2));
    // No slack: a catch-up would make the running samples late.
    RunningBatch tight = new RunningBatch(0, ctx.running(3_000, 3_000), false);
    assertThat(p.afterStage(ctx, tight).preempt()).isFalse();
    // After the last intermediate exit there is nothing left to refill for.
    assertThat(p.afterStage(ctx, new RunningBatch(3, ctx.running(1_000_000), false)).preempt())
        .isFalse();
  }

  @Test
  void lazyBatchingMergesWhenTheFullDepthSlackAllows() {
    BatchPolicy p = BatchPolicies.create("lazy");
    PolicyContextStub ctx = PolicyContextStub.earlyExit(8);
    ctx.enqueue(-1);
    assertThat(p.afterStage(ctx, new RunningBatch(0, ctx.running(1_000_000), false)))
        .isEqualTo(StageDecision.preempt(1));
    assertThat(p.afterStage(ctx, new RunningBatch(0, ctx.running(4_000), false)).preempt())
        .isFalse();
  }
}
