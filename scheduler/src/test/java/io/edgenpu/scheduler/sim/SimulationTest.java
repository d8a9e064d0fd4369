package io.edgenpu.scheduler.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.scheduler.core.StagePlan;
import io.edgenpu.scheduler.core.TableLatencyOracle;
import io.edgenpu.scheduler.policy.BatchPolicies;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The simulator: identical traces for every policy, determinism, and every request answered once.
 */
class SimulationTest {
  private static final StagePlan PLAN = StagePlan.exitAfterEveryStage(4);
  private static final TableLatencyOracle COST =
      TableLatencyOracle.of(4, 8, (s, b) -> 20_000 + 6_000 * b);
  private static final double[] EXITS = {0.4, 0.65, 0.8, 1.0};

  private static Simulation.Config config(String policy, Map<String, ?> params) {
    return new Simulation.Config(
        PLAN,
        COST,
        COST,
        EXITS,
        () -> BatchPolicies.create(policy, params),
        8,
        Duration.ofMillis(1),
        200,
        0);
  }

  private static Trace trace(long seed, double rate) {
    return Trace.generate(
        seed, 5_000, ArrivalProcess.poisson(rate, 8), ExitProcess.categorical(EXITS), PLAN);
  }

  @Test
  void sameSeedSameLatenciesBitForBit() {
    SimulationResult a = Simulation.run(trace(7, 20_000), config("fluid", Map.of()));
    SimulationResult b = Simulation.run(trace(7, 20_000), config("fluid", Map.of()));
    assertThat(a.latencies()).isEqualTo(b.latencies());
    assertThat(a.count()).isEqualTo(4_800);
  }

  @Test
  void differentSeedsGiveDifferentTraces() {
    assertThat(trace(1, 20_000).arrival(100)).isNotEqualTo(trace(2, 20_000).arrival(100));
  }

  @Test
  void exitProfileOfTheTraceMatchesTheCategoricalDistribution() {
    Trace t =
        Trace.generate(
            3, 50_000, ArrivalProcess.poisson(1000, 1), ExitProcess.categorical(EXITS), PLAN);
    int first = 0;
    for (int i = 0; i < t.size(); i++) {
      first += t.exitStage(i) == 0 ? 1 : 0;
    }
    assertThat(first / 50_000.0).isBetween(0.39, 0.41);
  }

  @Test
  void fluidBatchingPreemptsAndMergesUnderLoadAndBeatsNoBatching() {
    Trace t = trace(11, 25_000);
    SimulationResult fluid = Simulation.run(t, config("fluid", Map.of()));
    SimulationResult fcfs = Simulation.run(t, config("fcfs", Map.of()));
    assertThat(fluid.preemptions()).isPositive();
    assertThat(fluid.merges()).isPositive();
    assertThat(fluid.meanMillis()).isLessThan(fcfs.meanMillis());
    assertThat(fluid.meanBatchPerStage()[0]).isGreaterThan(1.0);
  }

  @Test
  void maskedBatchingWastesDeviceTimeOnExitedSamples() {
    Trace t = trace(5, 15_000);
    SimulationResult masked =
        Simulation.run(t, config("dynamic", Map.of("exit-handling", "mask-until-end")));
    SimulationResult shrink = Simulation.run(t, config("dynamic", Map.of()));
    assertThat(masked.wastedFraction()).isGreaterThan(0.1);
    assertThat(shrink.wastedFraction()).isZero();
  }

  @Test
  void mmppAlternatesBetweenBaseAndSpikeRates() {
    long[] times = new long[20_000];
    int[] dev = new int[20_000];
    ArrivalProcess.mmpp(100, 1000, 2, 0.5, 4).generate(new SplittableRandom(1), times, dev);
    double meanRate = times.length / (times[times.length - 1] / 1e9);
    // Long-run mean rate of the MMPP: (100*2 + 1000*0.5) / 2.5 = 280/s.
    assertThat(meanRate).isBetween(230.0, 330.0);
  }
}
