package io.edgenpu.experiments.fluid;

import io.edgenpu.scheduler.sim.ArrivalProcess;
import io.edgenpu.scheduler.sim.Simulation;
import io.edgenpu.scheduler.sim.SimulationResult;
import io.edgenpu.scheduler.sim.Trace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs experiment cells: for each (model, arrival process, SLO factor, seed) one trace is drawn and
 * every system runs on it; results are averaged over seeds into one {@link Row} per system. Runs
 * are independent and spread over a thread pool; results do not depend on the pool size.
 */
public final class CellRunner {
  /**
   * How arrivals are produced for a cell: Poisson at load ρ, or the MMPP spike process of spec O2.
   */
  public record Load(String label, double rho, boolean spike) {
    public static Load poisson(double rho) {
      return new Load(String.format(Locale.ROOT, "%.1f", rho), rho, false);
    }

    public static final Load SPIKE = new Load("spike", 0, true);

    ArrivalProcess process(double serviceRate) {
      if (spike) {
        return ArrivalProcess.mmpp(0.4 * serviceRate, 1.5 * serviceRate, 2.0, 0.5, 8);
      }
      return ArrivalProcess.poisson(rho * serviceRate, 8);
    }
  }

  /** One experiment cell over several seeds and systems. */
  public record Cell(
      String experiment, ModelSetup model, Load load, double sloFactor, List<SystemSpec> systems) {}

  /** A system's averaged measurements in one cell. */
  public record Row(
      String experiment,
      String model,
      String load,
      double sloFactor,
      SystemSpec system,
      int requests,
      double avgLatencyMs,
      double p50Ms,
      double p95Ms,
      double p99Ms,
      double sloSatisfaction,
      double goodput,
      double utilization,
      double occupancyStage0,
      double preemptions,
      double wastedFraction,
      long[] entryHistogram,
      List<SimulationResult> runs,
      double windowedSlo,
      double merges) {}

  /** Requests per window of the windowed SLO satisfaction ([I]: the spec does not fix it). */
  public static final int SLO_WINDOW = 200;

  private final int requests;
  private final int warmup;
  private final int seeds;
  private final ExecutorService pool;
  private final boolean keepRuns;

  public CellRunner(int requests, int warmup, int seeds, int threads, boolean keepRuns) {
    this.requests = requests;
    this.warmup = warmup;
    this.seeds = seeds;
    this.pool = Executors.newFixedThreadPool(threads);
    this.keepRuns = keepRuns;
  }

  public void shutdown() {
    pool.shutdownNow();
  }

  public List<Row> run(List<Cell> cells, String progressLabel) throws Exception {
    List<List<List<Future<SimulationResult>>>> futures = new ArrayList<>();
    AtomicInteger done = new AtomicInteger();
    int total = 0;
    for (Cell c : cells) {
      total += c.systems().size() * seeds;
    }
    int all = total;
    long start = System.nanoTime();
    for (Cell c : cells) {
      List<List<Future<SimulationResult>>> perSystem = new ArrayList<>();
      ModelSetup m = c.model();
      long slo = Math.round(c.sloFactor() * m.fullDepthNanos());
      List<Trace> traces = new ArrayList<>();
      for (int seed = 1; seed <= seeds; seed++) {
        traces.add(
            Trace.generate(
                seed * 1_000_003L + c.load().label().hashCode(),
                requests + warmup,
                c.load().process(m.serviceRatePerSecond()),
                m.exits(),
                m.plan()));
      }
      for (SystemSpec s : c.systems()) {
        List<Future<SimulationResult>> perSeed = new ArrayList<>();
        for (Trace t : traces) {
          perSeed.add(
              pool.submit(
                  () -> {
                    Simulation.Config cfg =
                        new Simulation.Config(
                            m.plan(),
                            m.oracle(s.profile()),
                            m.oracle(s.profile()),
                            s.exitAware() ? m.exits().cumulative() : null,
                            () -> s.create(m.fullDepthNanos()),
                            m.maxBatch(),
                            Duration.ofNanos(slo),
                            warmup,
                            0);
                    SimulationResult r = Simulation.run(t, cfg);
                    int d = done.incrementAndGet();
                    if (d % 200 == 0 || d == all) {
                      System.out.printf(
                          Locale.ROOT,
                          "%s: %d/%d runs (%.0f s)%n",
                          progressLabel,
                          d,
                          all,
                          (System.nanoTime() - start) / 1e9);
                    }
                    return r;
                  }));
        }
        perSystem.add(perSeed);
      }
      futures.add(perSystem);
    }
    List<Row> rows = new ArrayList<>();
    for (int ci = 0; ci < cells.size(); ci++) {
      Cell c = cells.get(ci);
      for (int si = 0; si < c.systems().size(); si++) {
        List<SimulationResult> results = new ArrayList<>();
        for (Future<SimulationResult> f : futures.get(ci).get(si)) {
          results.add(f.get());
        }
        rows.add(aggregate(c, c.systems().get(si), results));
      }
    }
    return rows;
  }

  private Row aggregate(Cell c, SystemSpec s, List<SimulationResult> rs) {
    double avg = 0,
        p50 = 0,
        p95 = 0,
        p99 = 0,
        sat = 0,
        good = 0,
        util = 0,
        occ = 0,
        pre = 0,
        waste = 0,
        windowed = 0,
        merges = 0;
    int count = 0;
    long[] hist = new long[65];
    for (SimulationResult r : rs) {
      avg += r.meanMillis();
      p50 += r.percentileMillis(50);
      p95 += r.percentileMillis(95);
      p99 += r.percentileMillis(99);
      sat += r.sloSatisfaction();
      good += r.goodputPerSecond();
      util += r.utilization();
      occ += r.meanBatchPerStage()[0];
      pre += r.preemptions();
      waste += r.wastedFraction();
      windowed += r.windowedSloSatisfaction(SLO_WINDOW);
      merges += r.merges();
      count += r.count();
      for (int i = 0; i < hist.length; i++) {
        hist[i] += r.entryBatchHistogram()[i];
      }
    }
    int n = rs.size();
    return new Row(
        c.experiment(),
        c.model().name(),
        c.load().label(),
        c.sloFactor(),
        s,
        count,
        avg / n,
        p50 / n,
        p95 / n,
        p99 / n,
        sat / n,
        good / n,
        util / n,
        occ / n,
        pre / n,
        waste / n,
        hist,
        keepRuns ? rs : List.of(),
        windowed / n,
        merges / n);
  }
}
