package io.edgenpu.scheduler.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.scheduler.policy.BatchPolicies;
import io.edgenpu.scheduler.policy.BatchPolicy;
import io.edgenpu.scheduler.policy.ExitHandling;
import io.edgenpu.scheduler.policy.IdleDecision;
import io.edgenpu.scheduler.policy.PolicyContext;
import io.edgenpu.scheduler.policy.RunningBatch;
import io.edgenpu.scheduler.policy.StageDecision;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Every request the scheduler takes is answered exactly once, whatever its collaborators do:
 * listeners that throw, policies that throw, an exception while a stage is being finished, the
 * device closing with work queued, running and suspended. Virtual time; seeded arrivals.
 */
class SchedulerFaultsTest {
  private static final StagePlan PLAN = StagePlan.exitAfterEveryStage(4);

  private static SchedulerHarness harness(BatchPolicy policy, SchedulerListener extra) {
    return new SchedulerHarness(
        PLAN,
        SchedulerHarness.linearOracle(4, 8),
        ExitStatistics.fromCumulative(PLAN, new double[] {0.4, 0.65, 0.8, 1.0}),
        policy,
        ModelLane.Config.simple(8),
        extra);
  }

  private static BatchPolicy fluid() {
    return BatchPolicies.create("fluid", Map.of("rule", "guarded-refill"));
  }

  /**
   * 60 one-sample requests, Poisson-like arrivals over 40 ms, exits spread over the four stages.
   */
  private static void submitSeeded(SchedulerHarness h) {
    SplittableRandom rnd = new SplittableRandom(7);
    long t = 0;
    for (int i = 0; i < 60; i++) {
      t += rnd.nextLong(1, 1_300);
      h.submitAt(t, rnd.nextInt(4), -1);
    }
  }

  private static void assertEachAnsweredOnce(SchedulerHarness h) {
    assertThat(h.answers).hasSize((int) h.submitted());
    assertThat(h.answers.values()).allMatch(n -> n == 1);
  }

  @Test
  void aListenerThatThrowsOnEveryEventChangesNoAnswer() {
    SchedulerHarness clean = harness(fluid(), null);
    submitSeeded(clean);
    clean.run();
    AtomicInteger thrown = new AtomicInteger();
    SchedulerListener broken =
        new SchedulerListener() {
          @Override
          public void onQueued(Request r, long now) {
            thrown.incrementAndGet();
            throw new IllegalStateException("broken observer");
          }

          @Override
          public void onStageStart(
              String model, int stage, int size, int masked, boolean catchUp, long now) {
            thrown.incrementAndGet();
            throw new IllegalStateException("broken observer");
          }

          @Override
          public void onStageEnd(
              String model, int stage, int size, long deviceNanos, boolean failed, long now) {
            thrown.incrementAndGet();
            throw new IllegalStateException("broken observer");
          }

          @Override
          public void onRequestFinished(Request r, long now) {
            thrown.incrementAndGet();
            throw new IllegalStateException("broken observer");
          }
        };
    SchedulerHarness faulty = harness(fluid(), broken);
    submitSeeded(faulty);
    faulty.run();
    assertThat(thrown.get()).isGreaterThan(100);
    assertEachAnsweredOnce(faulty);
    assertThat(faulty.latencyById).isEqualTo(clean.latencyById);
    assertThat(faulty.scheduler.listenerFailures()).isEqualTo(thrown.get());
  }

  /** A policy that throws on every third decision of each kind. */
  private static final class FlakyPolicy implements BatchPolicy {
    private final BatchPolicy inner = fluid();
    private int idle;
    private int after;

    @Override
    public String name() {
      return "flaky";
    }

    @Override
    public ExitHandling exitHandling() {
      return inner.exitHandling();
    }

    @Override
    public IdleDecision onIdle(PolicyContext ctx) {
      if (++idle % 3 == 0) {
        throw new IllegalStateException("policy bug");
      }
      return inner.onIdle(ctx);
    }

    @Override
    public StageDecision afterStage(PolicyContext ctx, RunningBatch running) {
      if (++after % 3 == 0) {
        throw new IllegalStateException("policy bug");
      }
      return inner.afterStage(ctx, running);
    }
  }

  @Test
  void aPolicyThatThrowsIsReplacedByTheDefaultForThatDecisionAndEveryRequestCompletes() {
    SchedulerHarness h = harness(new FlakyPolicy(), null);
    submitSeeded(h);
    h.run();
    assertEachAnsweredOnce(h);
    assertThat(h.failureById).isEmpty();
    assertThat(h.latencyById).hasSize(60);
  }

  /** A policy whose exit handling throws once, in the middle of finishing a stage. */
  private static final class BreaksOnceWhileFinishing implements BatchPolicy {
    private final BatchPolicy inner = fluid();
    private int calls;

    @Override
    public String name() {
      return "breaks-once";
    }

    @Override
    public ExitHandling exitHandling() {
      if (++calls == 3) {
        throw new IllegalStateException("bug while releasing exits");
      }
      return inner.exitHandling();
    }

    @Override
    public IdleDecision onIdle(PolicyContext ctx) {
      return inner.onIdle(ctx);
    }

    @Override
    public StageDecision afterStage(PolicyContext ctx, RunningBatch running) {
      return inner.afterStage(ctx, running);
    }
  }

  @Test
  void anErrorWhileFinishingAStageFailsThatBatchOnlyAndFreesTheDevice() {
    SchedulerHarness h = harness(new BreaksOnceWhileFinishing(), null);
    submitSeeded(h);
    h.run();
    assertEachAnsweredOnce(h);
    assertThat(h.failureById)
        .isNotEmpty()
        .allSatisfy((id, reason) -> assertThat(reason).isEqualTo(FailureReason.BACKEND));
    // Only the batch that was being finished failed; everything after it ran.
    assertThat(h.failureById.size()).isLessThanOrEqualTo(8);
    assertThat(h.latencyById.size() + h.failureById.size()).isEqualTo(60);
    assertThat(h.scheduler.isBusy()).isFalse();
  }

  @Test
  void closeAnswersQueuedRunningAndSuspendedRequests() {
    SchedulerHarness h = harness(fluid(), null);
    h.submitAt(0, 3, -1);
    h.submitAt(0, 3, -1);
    h.submitAt(500, 3, -1); // catches up after stage 0: the first pair is suspended
    h.submitAt(600, 3, -1);
    h.submitAt(1_150, 3, -1); // queued behind the catch-up
    h.loop.schedule(1_500_000, () -> h.scheduler.close("device is closing"));
    h.run();
    assertEachAnsweredOnce(h);
    assertThat(h.preemptions).isEqualTo(1);
    assertThat(h.failureById)
        .hasSize(5)
        .allSatisfy((id, reason) -> assertThat(reason).isEqualTo(FailureReason.UNAVAILABLE));
  }

  @Test
  void requestsSubmittedAfterCloseAreAnsweredAsUnavailable() {
    SchedulerHarness h = harness(fluid(), null);
    h.loop.schedule(0, () -> h.scheduler.close("device is closing"));
    h.submitAt(10, 0, -1);
    h.run();
    assertEachAnsweredOnce(h);
    assertThat(h.failureById).containsEntry(0L, FailureReason.UNAVAILABLE);
  }

  /**
   * An answer's callback runs on the device loop and may change the device's models at once (a
   * reload that retires the last version when its last request is answered): found by the chaos
   * soak as a ConcurrentModificationException that stopped the expiry of other lanes' late
   * requests.
   */
  @Test
  void anAnswerThatUnregistersAModelWhileRequestsExpireLeavesNoRequestUnanswered() {
    ModelLane.Config dropLate = ModelLane.Config.simple(8).withDropLate(true);
    SchedulerHarness h =
        new SchedulerHarness(
            PLAN,
            SchedulerHarness.linearOracle(4, 8),
            ExitStatistics.fromCumulative(PLAN, new double[] {0.4, 0.65, 0.8, 1.0}),
            fluid(),
            dropLate);
    ModelLane other =
        new ModelLane(
            "other",
            PLAN,
            SchedulerHarness.linearOracle(4, 8),
            ExitStatistics.fromCumulative(PLAN, new double[] {0.4, 0.65, 0.8, 1.0}),
            fluid(),
            dropLate);
    h.scheduler.register(other);
    Map<Long, Integer> answers = new TreeMap<>();
    RequestListener counting =
        new RequestListener() {
          @Override
          public void onCompleted(Request r) {
            answers.merge(r.id(), 1, Integer::sum);
          }

          @Override
          public void onFailed(Request r, FailureReason reason, String message) {
            answers.merge(r.id(), 1, Integer::sum);
            if (r.model().equals(SchedulerHarness.MODEL)) {
              h.scheduler.unregister(
                  "other", FailureReason.UNAVAILABLE, "retired"); // on the loop, at once
            }
          }
        };
    // The device busy with a long request; then late requests queue on both lanes ("m" iterates
    // first).
    h.submitAt(0, 3, -1);
    for (int i = 0; i < 4; i++) {
      for (String model : new String[] {SchedulerHarness.MODEL, "other"}) {
        Request r =
            Request.builder(model, counting)
                .id(1000 + answers.size() + 10L * i + (model.equals("other") ? 5 : 0))
                .arrivalNanos(10_000)
                .deadlineNanos(200_000)
                .samples(1, k -> null)
                .plannedExits(k -> 3)
                .build();
        h.loop.schedule(10_000, () -> h.scheduler.submit(r));
      }
    }
    h.run();

    assertThat(answers).hasSize(8).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
    assertEachAnsweredOnce(h);
    assertThat(h.scheduler.recoveredErrors()).as("errors the scheduler had to catch").isZero();
  }
}
