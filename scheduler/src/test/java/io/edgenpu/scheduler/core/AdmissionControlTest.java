package io.edgenpu.scheduler.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.scheduler.loop.VirtualEventLoop;
import io.edgenpu.scheduler.policy.BatchPolicies;
import io.edgenpu.scheduler.sim.SimulatedAccelerator;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Admission by predicted completion, in virtual time: batch 1 at 1.1 ms per request (linear
 * oracle).
 */
class AdmissionControlTest {
  private static final StagePlan PLAN = StagePlan.single();

  private static SchedulerHarness harness(boolean admission) {
    return new SchedulerHarness(
        PLAN,
        SchedulerHarness.linearOracle(1, 1),
        ExitStatistics.none(PLAN),
        BatchPolicies.create("dynamic", Map.of()),
        ModelLane.Config.simple(1).withDropLate(true).withAdmission(admission));
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
    // Every admitted request meets its deadline, and the admitted ones are the first four (1.1 ms
    // each + the
    // running one's expected remainder fit in 5 ms).
    assertThat(h.latencyById).isNotEmpty();
    h.latencyById.forEach(
        (id, latency) -> assertThat(latency).as("request " + id).isLessThanOrEqualTo(5_000_000L));
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
    assertThat(h.failureById.keySet())
        .allSatisfy(id -> assertThat(h.answeredAt.get(id)).isGreaterThan(id * 1000 + 4_000_000));
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
    SchedulerHarness h =
        new SchedulerHarness(
            PLAN,
            SchedulerHarness.linearOracle(1, 4),
            ExitStatistics.none(PLAN),
            BatchPolicies.create("dynamic", Map.of()),
            ModelLane.Config.simple(4).withDropLate(true).withAdmission(true));
    // Open loop at twice the capacity (a batch of 4 takes 1.4 ms): one request every 0.175 ms for
    // 50 ms.
    for (int i = 0; i < 286; i++) {
      long at = i * 175L;
      h.submitAt(at, 0, at + 10_000);
    }
    h.run();
    assertThat(h.failureById.values()).containsOnly(FailureReason.REJECTED);
    assertThat(h.latencyById.size()).isGreaterThan(100);
    h.latencyById.forEach(
        (id, latency) -> assertThat(latency).as("request " + id).isLessThanOrEqualTo(10_000_000L));
  }

  @Test
  void anOverestimatingOracleCannotLockTheLaneOutBecauseAnIdleDeviceAlwaysAdmits() {
    // The lane's oracle says 10 ms per batch (as after a learned transient spike); the device takes
    // 1 ms.
    // Deadlines are 5 ms, so every prediction misses them. Without the idle rule nothing would ever
    // run again.
    VirtualEventLoop loop = new VirtualEventLoop();
    LatencyOracle pessimistic = TableLatencyOracle.of(1, 1, (st, b) -> 10_000_000);
    LatencyOracle device = TableLatencyOracle.of(1, 1, (st, b) -> 1_000_000);
    DeviceScheduler scheduler =
        new DeviceScheduler(
            "npu0", loop, new SimulatedAccelerator(loop, 0).withModel("m", device), null);
    scheduler.register(
        new ModelLane(
            "m",
            PLAN,
            pessimistic,
            ExitStatistics.none(PLAN),
            BatchPolicies.create("dynamic", Map.of()),
            ModelLane.Config.simple(1).withDropLate(true).withAdmission(true)));
    Map<Long, FailureReason> failures = new TreeMap<>();
    Map<Long, Long> done = new TreeMap<>();
    // Request 0 at t = 0 (idle device), request 1 at 0.5 ms (device busy), request 2 at 3 ms (idle
    // again).
    long[] arrivalsMicros = {0, 500, 3_000};
    for (int i = 0; i < arrivalsMicros.length; i++) {
      long at = arrivalsMicros[i] * 1000;
      Request r =
          Request.builder(
                  "m",
                  new RequestListener() {
                    @Override
                    public void onCompleted(Request req) {
                      done.put(req.id(), loop.now());
                    }

                    @Override
                    public void onFailed(Request req, FailureReason reason, String message) {
                      failures.put(req.id(), reason);
                    }
                  })
              .id(i)
              .arrivalNanos(at)
              .deadlineNanos(at + 5_000_000)
              .samples(1, k -> null)
              .build();
      loop.schedule(at, () -> scheduler.submit(r));
    }
    loop.runUntilIdle();
    assertThat(done).containsKeys(0L, 2L);
    assertThat(failures).containsExactly(Map.entry(1L, FailureReason.REJECTED));
  }
}
