package io.edgenpu.experiments.live;

import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.profile.NpuProfiles;
import io.edgenpu.scheduler.policy.BatchPolicies;
import io.edgenpu.scheduler.sim.Simulation;
import io.edgenpu.scheduler.sim.SimulationResult;
import io.edgenpu.scheduler.sim.Trace;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One live run's inputs and the simulator's prediction of it. A run is (model, load, policy) on one
 * profile at one time scale: Poisson arrivals at {@code load} x the model's capacity on the profile
 * (mu*, emulated samples per second) divided by the time scale, each request one held-out sample (a
 * seeded shuffle of the set, cycled), so its exit is the one the model really takes on it. The same
 * schedule is replayed live under every policy and simulated in virtual time.
 */
final class LivePlan {
  /** The policies compared live, in the order of live.csv. */
  static final List<String> POLICIES = List.of("fluid", "dynamic", "fcfs");

  /** SLO = this x T_full(1) on the profile: the middle of the R1 grid's factors (2, 3, 5). */
  static final double SLO_FACTOR = 3;

  /**
   * Dynamic batching's queue window = this x T_full(1): the middle of the simulator's BL1b windows
   * (0.5, 1, 2), samples released at their exits.
   */
  static final double WINDOW_FACTOR = 1;

  /** One planned run of one model at one load. */
  record Run(
      LiveModel model,
      double load,
      double timeScale,
      double ratePerSecond,
      long[] sendNanos,
      int[] samples) {
    String scheduleName() {
      return String.format(Locale.ROOT, "schedule-%s-%.1f.csv", model.name(), load);
    }
  }

  private LivePlan() {}

  static Run plan(LiveModel m, double load, double timeScale, double seconds, long seed) {
    double rate = load * m.setup().serviceRatePerSecond() / timeScale;
    SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + Math.round(load * 1000));
    List<Long> sends = new ArrayList<>();
    double t = 0;
    while (true) {
      t += -Math.log(1 - rnd.nextDouble()) / rate;
      if (t >= seconds) {
        break;
      }
      sends.add(Math.round(t * 1e9));
    }
    int n = m.sampleExits().length;
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    long[] at = new long[sends.size()];
    int[] samples = new int[at.length];
    for (int i = 0; i < at.length; i++) {
      at[i] = sends.get(i);
      samples[i] = order[i % n];
    }
    return new Run(m, load, timeScale, rate, at, samples);
  }

  static void writeSchedule(Path csv, Run run) throws IOException {
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv))) {
      w.println("send_us,sample");
      for (int i = 0; i < run.sendNanos().length; i++) {
        w.printf(Locale.ROOT, "%d,%d%n", run.sendNanos()[i] / 1000, run.samples()[i]);
      }
    }
  }

  /** Scheduler parameters of a policy in this experiment; {@code windowNanos} for dynamic. */
  static Map<String, Object> parameters(String policy, LiveModel m, long windowNanos) {
    return switch (policy) {
      case "fluid" -> m.model().config().scheduling().parameters();
      case "dynamic" -> Map.of("max-queue-delay", windowNanos + "ns", "exit-handling", "release");
      default -> Map.of();
    };
  }

  /** The simulator's prediction of a run under a policy, in emulated time. */
  static SimulationResult simulate(Run run, String policy, String profile) {
    LiveModel m = run.model();
    long[] emulated = new long[run.sendNanos().length];
    int[] devices = new int[emulated.length];
    int[] exits = new int[emulated.length];
    for (int i = 0; i < emulated.length; i++) {
      emulated[i] = Math.round(run.sendNanos()[i] / run.timeScale());
      exits[i] = m.setup().plan().stageOfExit(m.sampleExits()[run.samples()[i]]);
    }
    Trace trace = Trace.replay(emulated, devices, exits, run.scheduleName());
    long full = m.fullDepthNanos();
    Map<String, Object> params = parameters(policy, m, Math.round(WINDOW_FACTOR * full));
    NpuProfile p = NpuProfiles.preset(profile);
    Simulation.Config cfg =
        new Simulation.Config(
            m.setup().plan(),
            m.setup().oracle(profile),
            m.setup().oracle(profile),
            m.setup().exits().cumulative(),
            () -> BatchPolicies.create(policy, params),
            m.setup().maxBatch(),
            Duration.ofNanos(Math.round(SLO_FACTOR * full)),
            0,
            Math.round(p.cyclesToNanos((double) p.preemptionCycles())));
    return Simulation.run(trace, cfg);
  }
}
