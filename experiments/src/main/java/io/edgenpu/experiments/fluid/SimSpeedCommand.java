package io.edgenpu.experiments.fluid;

import io.edgenpu.scheduler.sim.Simulation;
import io.edgenpu.scheduler.sim.SimulationResult;
import io.edgenpu.scheduler.sim.Trace;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sim-speed}: requests simulated per second on one core (the simulator's speed benchmark).
 */
@Command(
    name = "sim-speed",
    mixinStandardHelpOptions = true,
    description = "Simulator speed: requests per second on one thread.")
public final class SimSpeedCommand implements Callable<Integer> {
  @Option(names = "--requests", defaultValue = "1000000")
  int requests;

  @Option(names = "--rho", defaultValue = "0.9")
  double rho;

  @Option(names = "--repeats", defaultValue = "3")
  int repeats;

  @Override
  public Integer call() {
    ModelSetup m = FluidBatchingCommand.setups(false).get(0);
    System.out.printf(
        Locale.ROOT,
        "model %s, load %.2f, %d requests per run, one thread%n",
        m.name(),
        rho,
        requests);
    for (SystemSpec s :
        List.of(
            SystemSpec.standard().get(0),
            SystemSpec.standard().get(3),
            SystemSpec.standard().get(11))) {
      for (int r = 0; r < repeats; r++) {
        long t0 = System.nanoTime();
        Trace t =
            Trace.generate(
                r + 1,
                requests,
                CellRunner.Load.poisson(rho).process(m.serviceRatePerSecond()),
                m.exits(),
                m.plan());
        long t1 = System.nanoTime();
        SimulationResult res =
            Simulation.run(
                t,
                new Simulation.Config(
                    m.plan(),
                    m.oracle(s.profile()),
                    m.oracle(s.profile()),
                    s.exitAware() ? m.exits().cumulative() : null,
                    () -> s.create(m.fullDepthNanos()),
                    m.maxBatch(),
                    Duration.ofNanos(3 * m.fullDepthNanos()),
                    0,
                    0));
        long t2 = System.nanoTime();
        System.out.printf(
            Locale.ROOT,
            "%-10s run %d: trace %.2f s, simulation %.2f s = %.0f requests/s (mean latency %.3f ms)%n",
            s.name(),
            r + 1,
            (t1 - t0) / 1e9,
            (t2 - t1) / 1e9,
            requests / ((t2 - t1) / 1e9),
            res.meanMillis());
      }
    }
    return 0;
  }
}
