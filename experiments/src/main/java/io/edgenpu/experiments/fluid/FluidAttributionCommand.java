package io.edgenpu.experiments.fluid;

import io.edgenpu.experiments.options.OutputFolderOption;
import io.edgenpu.experiments.options.RepositoryOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fluid-attribution}: what fluid batching gains on each NPU profile, with scheduling and
 * hardware apart. For every profile P, every model (loads and SLOs defined on P) and every cell of
 * the R1 grid plus tighter SLOs, on identical seeded traces: our scheduler on P against each
 * baseline on P (the scheduler's own contribution), our scheduler on P with stackable PEs and fluid
 * batching added ({@code P+fluid}) against itself on P (the hardware's), and the two together
 * against each baseline on P (combined). Also our scheduler with its preemption rule forced
 * (guarded refill) and switched off, so the cells where preemption pays can be read off. Writes
 * attribution.csv, attribution-cells.csv and activity.csv ({@link AttributionOutputs}).
 */
@Command(
    name = "fluid-attribution",
    mixinStandardHelpOptions = true,
    description =
        "Fluid batching's scheduler, hardware and combined gains per NPU profile, stable and"
            + " overload cells apart.")
public final class FluidAttributionCommand implements Callable<Integer> {
  @Option(
      names = "--profiles",
      split = ",",
      defaultValue = "baseline-npu,edge-tpu-class,hailo8-class",
      description = "NPU profiles (default: ${DEFAULT-VALUE})")
  List<String> profiles;

  @Option(
      names = "--requests",
      defaultValue = "5000",
      description = "measured requests per run (default: ${DEFAULT-VALUE})")
  int requests;

  @Option(names = "--warmup", defaultValue = "500")
  int warmup;

  @Option(names = "--seeds", defaultValue = "3")
  int seeds;

  @Option(names = "--threads", defaultValue = "2")
  int threads;

  @Mixin RepositoryOption repository;

  @Mixin OutputFolderOption out;

  /** Loads of the grid: up to 0.9 the stable regime, above it (and the spike) overload. */
  static final double[] LOADS = FluidBatchingCommand.LOADS;

  /** SLO factors x T_full(1): the R1 grid's and three tighter ones. */
  static final double[] SLO_FACTORS = {1.0, 1.25, 1.5, 2, 3, 5};

  static final String OURS = "FB-full";
  static final String OURS_FLUID_HW = "FB-full on P+fluid";
  static final String FORCED = "FB-forced-preemption";
  static final String NO_PREEMPTION = "FB-no-preemption";

  /** Every system of one profile's cells. */
  static List<SystemSpec> systems(String profile) {
    List<SystemSpec> s = new ArrayList<>();
    s.add(new SystemSpec(OURS, OURS, "fluid", Map.of(), 0, profile, true));
    s.add(
        new SystemSpec(
            OURS_FLUID_HW,
            OURS_FLUID_HW,
            "fluid",
            Map.of(),
            0,
            profile + ModelSetup.FLUID_SUFFIX,
            true));
    s.add(
        new SystemSpec(
            FORCED, FORCED, "fluid", Map.of("rule", "guarded-refill"), 0, profile, true));
    s.add(
        new SystemSpec(
            NO_PREEMPTION, NO_PREEMPTION, "fluid", Map.of("rule", "never"), 0, profile, true));
    for (SystemSpec b : SystemSpec.standard()) {
      if (SystemSpec.BASELINE_FAMILIES.contains(b.family())) {
        s.add(b.withProfile(profile, ""));
      }
    }
    return s;
  }

  @Override
  public Integer call() throws Exception {
    out.create();
    long start = System.nanoTime();
    List<ModelSetup> models = FluidBatchingCommand.setups(repository.path());
    CellRunner runner = new CellRunner(requests, warmup, seeds, threads, false);
    List<CellRunner.Row> rows = new ArrayList<>();
    try {
      for (String profile : profiles) {
        List<CellRunner.Cell> cells = new ArrayList<>();
        for (ModelSetup base : models) {
          ModelSetup m = base.withBaseline(profile, base.name());
          System.out.printf(
              Locale.ROOT,
              "%s on %s: T_full(1) = %.1f us, mu* = %.0f samples/s%n",
              m.name(),
              profile,
              m.fullDepthNanos() / 1e3,
              m.serviceRatePerSecond());
          List<CellRunner.Load> loads = new ArrayList<>();
          for (double rho : LOADS) {
            loads.add(CellRunner.Load.poisson(rho));
          }
          loads.add(CellRunner.Load.SPIKE);
          for (CellRunner.Load load : loads) {
            for (double f : SLO_FACTORS) {
              cells.add(new CellRunner.Cell(profile, m, load, f, systems(profile)));
            }
          }
        }
        rows.addAll(runner.run(cells, profile));
      }
    } finally {
      runner.shutdown();
    }
    AttributionOutputs.write(out.path(), rows);
    System.out.printf(
        Locale.ROOT,
        "done in %.0f s; results in %s%n",
        (System.nanoTime() - start) / 1e9,
        out.path());
    return 0;
  }
}
