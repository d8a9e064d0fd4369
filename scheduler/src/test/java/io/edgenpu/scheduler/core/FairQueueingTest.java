package io.edgenpu.scheduler.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.scheduler.policy.BatchPolicies;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Weighted fair queueing across client devices, in virtual time. One plain model, batches of up to
 * 4 at (1000 + 100 b) µs, so about 2 860 samples/s. Three quiet devices send 300 requests/s each
 * (Poisson, seeded); a noisy one sends ten times that, 3 000/s: together 130 % of capacity. Every
 * request has a 10 ms deadline and late ones are dropped (504).
 */
class FairQueueingTest {
  private static final StagePlan PLAN = StagePlan.single();
  private static final List<String> QUIET = List.of("lamp", "lock", "thermostat");
  private static final long DURATION_MICROS = 2_000_000;
  private static final long DEADLINE_MICROS = 10_000;

  /** Share of the quiet devices' requests answered within their deadline. */
  private static double quietAttainment(
      SampleQueue.Order order, boolean noisy, double noisyWeight) {
    SchedulerHarness h =
        new SchedulerHarness(
            PLAN,
            SchedulerHarness.linearOracle(1, 4),
            ExitStatistics.none(PLAN),
            BatchPolicies.create("dynamic", Map.of()),
            ModelLane.Config.simple(4).withDropLate(true).withOrder(order));
    Map<Long, String> clientById = new HashMap<>();
    Random random = new Random(42);
    for (String device : QUIET) {
      send(h, random, device, 1.0, 300, clientById);
    }
    if (noisy) {
      send(h, random, "noisy-camera", noisyWeight, 3000, clientById);
    }
    h.run();
    long quiet = clientById.values().stream().filter(QUIET::contains).count();
    long met =
        clientById.entrySet().stream()
            .filter(e -> QUIET.contains(e.getValue()))
            .filter(
                e ->
                    h.latencyById.containsKey(e.getKey())
                        && h.latencyById.get(e.getKey()) <= DEADLINE_MICROS * 1000)
            .count();
    return (double) met / quiet;
  }

  private static void send(
      SchedulerHarness h,
      Random random,
      String device,
      double weight,
      double perSecond,
      Map<Long, String> clientById) {
    double t = 0;
    while (true) {
      t += -Math.log(1 - random.nextDouble()) / perSecond * 1e6;
      if (t >= DURATION_MICROS) {
        return;
      }
      long at = (long) t;
      Request r = h.submitFrom(at, device, weight, at + DEADLINE_MICROS);
      clientById.put(r.id(), device);
    }
  }

  @Test
  void aNoisyDeviceAtTenTimesItsShareDoesNotStarveTheOthersUnderFairQueueing() {
    double unloaded = quietAttainment(SampleQueue.Order.FAIR, false, 1);
    double fair = quietAttainment(SampleQueue.Order.FAIR, true, 1);
    double fifo = quietAttainment(SampleQueue.Order.FIFO, true, 1);
    assertThat(unloaded).isGreaterThan(0.99);
    assertThat(fair)
        .as("fair %.3f vs unloaded %.3f", fair, unloaded)
        .isGreaterThan(unloaded - 0.10);
    // The same overload without fair queueing: the noisy device's backlog sits in front of
    // everyone.
    assertThat(fifo).as("fifo %.3f vs unloaded %.3f", fifo, unloaded).isLessThan(unloaded - 0.30);
  }

  @Test
  void withOneClientFairQueueingIsFifo() {
    SchedulerHarness h =
        new SchedulerHarness(
            PLAN,
            SchedulerHarness.linearOracle(1, 1),
            ExitStatistics.none(PLAN),
            BatchPolicies.create("dynamic", Map.of()),
            ModelLane.Config.simple(1).withOrder(SampleQueue.Order.FAIR));
    for (int i = 0; i < 5; i++) {
      h.submitFrom(i, "only", 1, 1_000_000);
    }
    h.run();
    List<Long> order =
        h.answeredAt.entrySet().stream()
            .sorted(Map.Entry.comparingByValue())
            .map(Map.Entry::getKey)
            .toList();
    assertThat(order).containsExactly(0L, 1L, 2L, 3L, 4L);
  }

  @Test
  void weightsSetTheShareOfBackloggedClients() {
    // Two clients each queue 30 requests at t = 0 on a batch-1 device; "heavy" has weight 2: of the
    // first
    // 15 served, it gets 10 and "light" 5 (after the first, which started on the idle device).
    SchedulerHarness h =
        new SchedulerHarness(
            PLAN,
            SchedulerHarness.linearOracle(1, 1),
            ExitStatistics.none(PLAN),
            BatchPolicies.create("dynamic", Map.of()),
            ModelLane.Config.simple(1).withOrder(SampleQueue.Order.FAIR));
    Map<Long, String> clientById = new HashMap<>();
    for (int i = 0; i < 30; i++) {
      clientById.put(h.submitFrom(0, "light", 1, 1_000_000_000L).id(), "light");
      clientById.put(h.submitFrom(0, "heavy", 2, 1_000_000_000L).id(), "heavy");
    }
    h.run();
    List<String> served =
        h.answeredAt.entrySet().stream()
            .sorted(
                Map.Entry.<Long, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
            .map(e -> clientById.get(e.getKey()))
            .toList();
    List<String> next15 = served.subList(1, 16);
    assertThat(next15.stream().filter("heavy"::equals).count()).as("%s", next15).isEqualTo(10);
  }
}
