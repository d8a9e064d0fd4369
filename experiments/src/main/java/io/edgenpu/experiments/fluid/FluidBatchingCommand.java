package io.edgenpu.experiments.fluid;

import io.edgenpu.experiments.RepositoryModel;
import io.edgenpu.experiments.options.OutputFolderOption;
import io.edgenpu.experiments.options.RepositoryOption;
import io.edgenpu.scheduler.sim.ExitProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fluid-batching}: the experiments R1–R9 of docs/papers/fluid-batching.md (and goodput at
 * 99% SLO attainment), every system on identical seeded traces, in virtual time. Writes
 * summary.csv, headline.csv, goodput.csv, per-experiment tables and PNG charts.
 */
@Command(
    name = "fluid-batching",
    mixinStandardHelpOptions = true,
    description = "Reproduce the fluid-batching experiments R1-R9 in virtual time.")
public final class FluidBatchingCommand implements Callable<Integer> {
  @Option(
      names = "--experiments",
      split = ",",
      defaultValue = "R1,G,R3,R4,R5,R6,R7,R8,R9,R10",
      description = "which experiments (R1 includes R2) (default: ${DEFAULT-VALUE})")
  Set<String> experiments = new LinkedHashSet<>();

  @Option(
      names = "--requests",
      defaultValue = "20000",
      description = "measured requests per run (default: ${DEFAULT-VALUE})")
  int requests;

  @Option(names = "--warmup", defaultValue = "1000")
  int warmup;

  @Option(names = "--seeds", defaultValue = "5")
  int seeds;

  @Option(names = "--threads", defaultValue = "2")
  int threads;

  @Mixin RepositoryOption repository;

  @Mixin OutputFolderOption out;

  static final double[] LOADS = {0.3, 0.5, 0.7, 0.9, 1.1};
  static final double[] SLO_FACTORS = {2, 3, 5};

  /** M1, M2 (and ee-digits with its recorded exit trace when the repository is at hand). */
  static List<ModelSetup> setups(boolean withRepository) {
    return setups(withRepository ? Path.of("models/repository") : null);
  }

  static List<ModelSetup> setups(@Nullable Path repository) {
    List<ModelSetup> out = new ArrayList<>();
    for (PaperModels.EeModel m : List.of(PaperModels.m1(), PaperModels.m2())) {
      out.add(
          ModelSetup.stageLevel(
              m.name(), m.workload(), ExitProcess.categorical(m.exitProfile()), 8));
    }
    if (repository != null && Files.isDirectory(repository.resolve("ee-digits"))) {
      try {
        RepositoryModel ee = RepositoryModel.load(repository, "ee-digits");
        int[] trace =
            RepositoryModel.readExitTrace(repository.resolve("ee-digits/eval/exit-trace.csv"));
        out.add(
            ModelSetup.stageLevel(
                "ee-digits", ee.workload(), ExitProcess.trace(trace, 4, "ee-digits held-out"), 8));
      } catch (IOException e) {
        throw new IllegalStateException("cannot load ee-digits from " + repository, e);
      }
    }
    return out;
  }

  @Override
  public Integer call() throws Exception {
    out.create();
    long start = System.nanoTime();
    List<ModelSetup> models = setups(repository.path());
    List<ModelSetup> paper = models.subList(0, 2);
    CellRunner runner = new CellRunner(requests, warmup, seeds, threads, false);
    List<CellRunner.Row> summary = new ArrayList<>();
    try {
      for (ModelSetup m : models) {
        System.out.printf(
            Locale.ROOT,
            "%s: T_full(1) = %.1f us on the baseline NPU, mu* = %.0f samples/s%n",
            m.name(),
            m.fullDepthNanos() / 1e3,
            m.serviceRatePerSecond());
      }
      if (experiments.contains("R1")) {
        List<CellRunner.Cell> cells = new ArrayList<>();
        for (ModelSetup m : models) {
          for (CellRunner.Load load : loadsWithSpike()) {
            for (double f : SLO_FACTORS) {
              cells.add(new CellRunner.Cell("R1", m, load, f, SystemSpec.standard()));
            }
          }
        }
        List<CellRunner.Row> rows = runner.run(cells, "R1/R2");
        summary.addAll(rows);
        FluidOutputs.headline(out.resolve("headline.csv"), rows);
        FluidOutputs.loadCharts(out.path(), rows);
        if (experiments.contains("R9")) {
          FluidOutputs.dse(out.path(), rows, models);
        }
      }
      if (experiments.contains("G")) {
        FluidOutputs.goodput(
            out.resolve("goodput.csv"),
            models,
            new CellRunner(Math.max(2000, requests / 4), warmup, 1, threads, false));
      }
      if (experiments.contains("R3")) {
        FluidOutputs.spikeTimeSeries(out.path(), paper, requests, threads);
      }
      if (experiments.contains("R4")) {
        FluidOutputs.layerUtilization(out.path());
      }
      if (experiments.contains("R5")) {
        List<CellRunner.Cell> cells = new ArrayList<>();
        List<SystemSpec> systems = pick("BL3-Lazy", "FB-S", "FB-S+FB", SystemSpec.FB_FULL);
        for (ModelSetup m : paper) {
          for (double rho : new double[] {0.5, 0.9}) {
            cells.add(new CellRunner.Cell("R5", m, CellRunner.Load.poisson(rho), 3, systems));
          }
        }
        summary.addAll(runner.run(cells, "R5"));
      }
      if (experiments.contains("R6")) {
        List<CellRunner.Cell> cells = new ArrayList<>();
        for (PaperModels.EeModel em : List.of(PaperModels.m1(), PaperModels.m2())) {
          for (Map.Entry<String, Double> mix :
              Map.of("easy", 1.5, "medium", 1.0, "hard", 0.5).entrySet()) {
            double[] f = em.exitProfile().clone();
            for (int e = 0; e < f.length - 1; e++) {
              f[e] = Math.min(0.95, f[e] * mix.getValue());
            }
            ModelSetup m =
                ModelSetup.stageLevel(
                    em.name() + "-" + mix.getKey(), em.workload(), ExitProcess.categorical(f), 8);
            cells.add(
                new CellRunner.Cell(
                    "R6", m, CellRunner.Load.poisson(0.7), 3, SystemSpec.standard()));
          }
        }
        summary.addAll(runner.run(cells, "R6"));
      }
      if (experiments.contains("R7")) {
        List<CellRunner.Cell> cells = new ArrayList<>();
        for (ModelSetup m : paper) {
          for (double f : new double[] {1.5, 2, 3, 5}) {
            cells.add(
                new CellRunner.Cell(
                    "R7", m, CellRunner.Load.poisson(0.7), f, SystemSpec.standard()));
          }
        }
        summary.addAll(runner.run(cells, "R7"));
      }
      if (experiments.contains("R10")) {
        // Sensitivity (spec O16): a per-layer reconfiguration cost of 1 us on every NPU. Batching
        // and merging
        // then amortise a fixed cost per layer execution.
        List<CellRunner.Cell> cells = new ArrayList<>();
        String sw = "@switch=1000";
        List<SystemSpec> systems = new ArrayList<>();
        for (SystemSpec s : SystemSpec.standard()) {
          systems.add(s.withProfile(s.profile() + sw, ""));
        }
        SystemSpec fbA =
            SystemSpec.standard()
                .get(0)
                .withParams("FB-full/rule-A", Map.of("rule", "guarded-refill"));
        systems.add(fbA.withProfile(fbA.profile() + sw, ""));
        for (ModelSetup m : paper) {
          ModelSetup ms = m.withBaseline(ModelSetup.BASELINE + sw, m.name() + "+switch1us");
          for (double rho : new double[] {0.5, 0.7, 0.9}) {
            cells.add(new CellRunner.Cell("R10", ms, CellRunner.Load.poisson(rho), 3, systems));
          }
        }
        summary.addAll(runner.run(cells, "R10"));
      }
      if (experiments.contains("R8")) {
        List<CellRunner.Cell> cells = new ArrayList<>();
        SystemSpec fb = SystemSpec.standard().get(0);
        for (PaperModels.EeModel em : List.of(PaperModels.m1(), PaperModels.m2())) {
          ModelSetup stage =
              ModelSetup.stageLevel(
                  em.name(), em.workload(), ExitProcess.categorical(em.exitProfile()), 8);
          ModelSetup layer =
              ModelSetup.perLayer(
                  em.name(), em.workload(), ExitProcess.categorical(em.exitProfile()), 8);
          cells.add(
              new CellRunner.Cell(
                  "R8",
                  stage,
                  CellRunner.Load.poisson(0.7),
                  3,
                  List.of(
                      fb.withParams("FB-full/exit-points", Map.of()),
                      fb.withParams(
                          "FB-full/rule-A-guarded-refill", Map.of("rule", "guarded-refill")),
                      fb.withParams(
                          "FB-full/rule-A-max-batches",
                          Map.of("rule", "guarded-refill", "sizing", "max")),
                      fb.withParams("FB-full/no-preemption", Map.of("rule", "never")))));
          cells.add(
              new CellRunner.Cell(
                  "R8",
                  layer,
                  CellRunner.Load.poisson(0.7),
                  3,
                  List.of(
                      fb.withParams("FB-full/every-layer", Map.of("granularity", "every-stage")),
                      fb.withParams(
                          "FB-full/every-layer-rule-A",
                          Map.of("granularity", "every-stage", "rule", "guarded-refill")))));
        }
        summary.addAll(runner.run(cells, "R8"));
      }
    } finally {
      runner.shutdown();
    }
    FluidOutputs.summary(out.resolve("summary.csv"), summary);
    System.out.printf(
        Locale.ROOT, "done in %.0f s; results in %s%n", (System.nanoTime() - start) / 1e9, out);
    return 0;
  }

  static List<CellRunner.Load> loadsWithSpike() {
    List<CellRunner.Load> loads = new ArrayList<>();
    for (double rho : LOADS) {
      loads.add(CellRunner.Load.poisson(rho));
    }
    loads.add(CellRunner.Load.SPIKE);
    return loads;
  }

  static List<SystemSpec> pick(String... names) {
    List<SystemSpec> out = new ArrayList<>();
    for (String n : names) {
      out.add(
          SystemSpec.standard().stream().filter(s -> s.name().equals(n)).findFirst().orElseThrow());
    }
    return out;
  }
}
