package io.edgenpu.scheduler.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.scheduler.policy.BatchPolicies;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Admission by predicted completion, in virtual time: batch 1 at 1.1 ms per request (linear oracle). */
class AdmissionControlTest {
  private static final StagePlan PLAN = StagePlan.single();

  private static SchedulerHarness harness(boolean admission) {
    return new SchedulerHarness(PLAN, SchedulerHarness.linearOracle(1, 1), ExitStatistics.none(PLAN),
        BatchPolicies.create("dynamic", Map.of()), ModelLane.Config.simple(1).withDropLate(true).withAdmission(admission));
  }

  @Test
  void requestsThatCannotMakeTheirDeadlineAreRefusedAtArrivalAndTheRestMeetIt() {
    SchedulerHarness h = harness(true);
    // Ten requests at t = 0..9 µs, each with a 5 ms deadline: the device serves one per 1.1 ms.
    for (int i = 0; i < 10; i++) {
      h.submitAt(i, 0, i + 5_000);
    }
    h.run();
    assertThat(h.failureById.values()).containsOnly(FailureReason.REJECTED);
    // Refused at once: their answer time is their arrival time.
    for (Map.Entry<Long, FailureReason> e : h.failureById.entrySet()) {
      assertThat(h.answeredAt.get(e.getKey())).isEqualTo(e.getKey() * 1000);
    }
    // Every admitted request meets its deadline, and the admitted ones are the first four (1.1 ms each + the
    // running one's expected remainder fit in 5 ms).
    assertThat(h.latencyById).isNotEmpty();
    h.latencyById.forEach((id, latency) -> assertThat(latency).as("request " + id).isLessThanOrEqualTo(5_000_000L));
    assertThat(h.latencyById.keySet()).containsExactly(0L, 1L, 2L, 3L);
  }

  @Test
  void withoutAdmissionTheSameLoadIsServedLateOrDroppedAfterWaiting() {
    SchedulerHarness h = harness(false);
    for (int i = 0; i < 10; i++) {
      h.submitAt(i, 0, i + 5_000);
    }
    h.run();
    assertThat(h.failureById.values()).containsOnly(FailureReason.DEADLINE_EXCEEDED);
    assertThat(h.failureById.keySet()).allSatisfy(id -> assertThat(h.answeredAt.get(id)).isGreaterThan(id * 1000 + 4_000_000));
  }

  @Test
  void requestsWithoutADeadlineAreNeverRefusedByPrediction() {
    SchedulerHarness h = harness(true);
    for (int i = 0; i < 10; i++) {
      h.submitAt(i, 0, -1);
    }
    h.run();
    assertThat(h.failureById).isEmpty();
    assertThat(h.latencyById).hasSize(10);
  }

  @Test
  void batchedLanesAdmitByWholeBatchesAndEveryAdmittedRequestMeetsItsDeadline() {
    SchedulerHarness h = new SchedulerHarness(PLAN, SchedulerHarness.linearOracle(1, 4), ExitStatistics.none(PLAN),
        BatchPolicies.create("dynamic", Map.of()), ModelLane.Config.simple(4).withDropLate(true).withAdmission(true));
    // Open loop at twice the capacity (a batch of 4 takes 1.4 ms): one request every 0.175 ms for 50 ms.
    for (int i = 0; i < 286; i++) {
      long at = i * 175L;
      h.submitAt(at, 0, at + 10_000);
    }
    h.run();
    assertThat(h.failureById.values()).containsOnly(FailureReason.REJECTED);
    assertThat(h.latencyById.size()).isGreaterThan(100);
    h.latencyById.forEach((id, latency) -> assertThat(latency).as("request " + id).isLessThanOrEqualTo(10_000_000L));
  }
}
