package io.edgenpu.experiments.fluid;

import io.edgenpu.experiments.Charts;
import io.edgenpu.experiments.npu.DesignSweep;
import io.edgenpu.npu.cost.CostModel;
import io.edgenpu.npu.cost.FluidTable;
import io.edgenpu.npu.cost.LayerCost;
import io.edgenpu.npu.cost.LayoutPolicy;
import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.profile.NpuProfiles;
import io.edgenpu.npu.workload.Layer;
import io.edgenpu.npu.workload.Workload;
import io.edgenpu.scheduler.sim.Simulation;
import io.edgenpu.scheduler.sim.SimulationResult;
import io.edgenpu.scheduler.sim.Trace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

/** Tables and charts of the fluid-batching experiments. */
final class FluidOutputs {
  private FluidOutputs() {}

  static String f(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  static void summary(Path csv, List<CellRunner.Row> rows) throws IOException {
    StringBuilder sb =
        new StringBuilder(
            "experiment,model,load,slo_factor,policy,npu,requests,avg_latency_ms,p50_ms,p95_ms,p99_ms,"
                + "slo_satisfaction,goodput_per_s,utilization,occupancy_stage0,preemptions_per_run,wasted_fraction\n");
    for (CellRunner.Row r : rows) {
      sb.append(r.experiment())
          .append(',')
          .append(r.model())
          .append(',')
          .append(r.load())
          .append(',')
          .append(r.sloFactor())
          .append(',')
          .append(r.system().name())
          .append(',')
          .append(r.system().profile())
          .append(',')
          .append(r.requests())
          .append(',')
          .append(f(r.avgLatencyMs()))
          .append(',')
          .append(f(r.p50Ms()))
          .append(',')
          .append(f(r.p95Ms()))
          .append(',')
          .append(f(r.p99Ms()))
          .append(',')
          .append(f(r.sloSatisfaction()))
          .append(',')
          .append(String.format(Locale.ROOT, "%.1f", r.goodput()))
          .append(',')
          .append(f(r.utilization()))
          .append(',')
          .append(f(r.occupancyStage0()))
          .append(',')
          .append(String.format(Locale.ROOT, "%.1f", r.preemptions()))
          .append(',')
          .append(f(r.wastedFraction()))
          .append('\n');
    }
    Files.writeString(csv, sb.toString());
  }

  /** Cell key (model, load, SLO factor) -> rows of that cell. */
  private static Map<String, List<CellRunner.Row>> cells(List<CellRunner.Row> rows) {
    Map<String, List<CellRunner.Row>> cells = new LinkedHashMap<>();
    for (CellRunner.Row r : rows) {
      cells
          .computeIfAbsent(r.model() + "|" + r.load() + "|" + r.sloFactor(), k -> new ArrayList<>())
          .add(r);
    }
    return cells;
  }

  private static CellRunner.Row bestLatency(
      List<CellRunner.Row> cell, Predicate<CellRunner.Row> which) {
    return cell.stream()
        .filter(which)
        .min((a, b) -> Double.compare(a.avgLatencyMs(), b.avgLatencyMs()))
        .orElseThrow();
  }

  private static CellRunner.Row bestSatisfaction(
      List<CellRunner.Row> cell, Predicate<CellRunner.Row> which) {
    return cell.stream()
        .filter(which)
        .max((a, b) -> Double.compare(a.sloSatisfaction(), b.sloSatisfaction()))
        .orElseThrow();
  }

  /**
   * headline.csv: per baseline (family, best of BL1–BL3, best of all), the ratio of its average
   * latency to ours and of our SLO satisfaction to its, per cell of R1, aggregated by geometric and
   * arithmetic means. Cells where the baseline meets no deadline at all are excluded from the SLO
   * ratio (spec O5) and counted.
   */
  static void headline(Path csv, List<CellRunner.Row> rows) throws IOException {
    Map<String, Predicate<CellRunner.Row>> baselines = new LinkedHashMap<>();
    baselines.put(
        "best of BL1-BL3", r -> SystemSpec.STREAMING_BASELINES.contains(r.system().family()));
    baselines.put(
        "best of all baselines", r -> SystemSpec.BASELINE_FAMILIES.contains(r.system().family()));
    for (String fam : SystemSpec.BASELINE_FAMILIES) {
      baselines.put(fam, r -> r.system().family().equals(fam));
    }
    StringBuilder sb =
        new StringBuilder(
            "baseline,avg_latency_ratio,slo_satisfaction_ratio,avg_latency_ratio_arith,"
                + "slo_satisfaction_ratio_arith,cells,slo_cells,cells_fb_ahead_on_latency,cells_fb_at_least_equal_on_slo,min_latency_ratio,min_slo_ratio\n");
    for (Map.Entry<String, Predicate<CellRunner.Row>> b : baselines.entrySet()) {
      double logLat = 0;
      double lat = 0;
      double logSlo = 0;
      double slo = 0;
      int n = 0;
      int nSlo = 0;
      int ahead = 0;
      int sloAhead = 0;
      double minLat = Double.MAX_VALUE;
      double minSlo = Double.MAX_VALUE;
      for (List<CellRunner.Row> cell : cells(rows).values()) {
        CellRunner.Row fb =
            cell.stream()
                .filter(r -> r.system().name().equals(SystemSpec.FB_FULL))
                .findFirst()
                .orElseThrow();
        CellRunner.Row bl = bestLatency(cell, b.getValue());
        CellRunner.Row bs = bestSatisfaction(cell, b.getValue());
        double rl = bl.avgLatencyMs() / fb.avgLatencyMs();
        logLat += Math.log(rl);
        lat += rl;
        n++;
        ahead += rl > 1 ? 1 : 0;
        minLat = Math.min(minLat, rl);
        sloAhead += fb.sloSatisfaction() >= bs.sloSatisfaction() ? 1 : 0;
        if (bs.sloSatisfaction() > 0 && fb.sloSatisfaction() > 0) {
          double rs = fb.sloSatisfaction() / bs.sloSatisfaction();
          logSlo += Math.log(rs);
          slo += rs;
          nSlo++;
          minSlo = Math.min(minSlo, rs);
        }
      }
      sb.append(b.getKey())
          .append(',')
          .append(f(Math.exp(logLat / n)))
          .append(',')
          .append(f(Math.exp(logSlo / nSlo)))
          .append(',')
          .append(f(lat / n))
          .append(',')
          .append(f(slo / nSlo))
          .append(',')
          .append(n)
          .append(',')
          .append(nSlo)
          .append(',')
          .append(ahead)
          .append(',')
          .append(sloAhead)
          .append(',')
          .append(f(minLat))
          .append(',')
          .append(f(minSlo))
          .append('\n');
    }
    Files.writeString(csv, sb.toString());
    System.out.print(sb);
  }

  /**
   * Line families drawn in the load charts: our three systems and the best variant of each baseline
   * family.
   */
  private static final List<String> CHART_FAMILIES =
      List.of(
          SystemSpec.FB_FULL,
          "FB-S+FB",
          "FB-S",
          "BL0-FCFS",
          "BL1a-masked",
          "BL1b-shrink",
          "BL2-AIMD",
          "BL3-Lazy",
          "EDF");

  static void loadCharts(Path out, List<CellRunner.Row> rows) throws IOException {
    Map<String, List<CellRunner.Row>> byModel = new LinkedHashMap<>();
    for (CellRunner.Row r : rows) {
      if (r.sloFactor() == 3 && !r.load().equals("spike")) {
        byModel.computeIfAbsent(r.model(), k -> new ArrayList<>()).add(r);
      }
    }
    for (Map.Entry<String, List<CellRunner.Row>> e : byModel.entrySet()) {
      List<Charts.Series> lat = new ArrayList<>();
      List<Charts.Series> sat = new ArrayList<>();
      for (String fam : CHART_FAMILIES) {
        TreeMap<Double, Double> l = new TreeMap<>();
        TreeMap<Double, Double> s = new TreeMap<>();
        for (CellRunner.Row r : e.getValue()) {
          if (r.system().family().equals(fam)) {
            double load = Double.parseDouble(r.load());
            l.merge(load, r.avgLatencyMs(), Math::min);
            s.merge(load, r.sloSatisfaction(), Math::max);
          }
        }
        lat.add(new Charts.Series(fam, keys(l), values(l)));
        sat.add(new Charts.Series(fam, keys(s), values(s)));
      }
      Charts.lines(
          out.resolve("latency-vs-load-" + e.getKey() + ".png"),
          e.getKey() + ": average latency vs load (SLO = 3 T_full(1))",
          "load rho",
          "average latency (ms, log)",
          lat,
          true,
          false);
      Charts.lines(
          out.resolve("slo-vs-load-" + e.getKey() + ".png"),
          e.getKey() + ": SLO satisfaction vs load (SLO = 3 T_full(1))",
          "load rho",
          "share of requests within the SLO",
          sat,
          false,
          false);
    }
  }

  private static double[] keys(Map<Double, Double> m) {
    return m.keySet().stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static double[] values(Map<Double, Double> m) {
    return m.values().stream().mapToDouble(Double::doubleValue).toArray();
  }

  /**
   * Goodput at 99% SLO attainment: the highest load of a 0.05-step grid at which >= 99% meet the
   * SLO (m = 3).
   */
  static void goodput(Path csv, List<ModelSetup> models, CellRunner runner) throws Exception {
    List<CellRunner.Cell> cells = new ArrayList<>();
    for (ModelSetup m : models) {
      for (int i = 1; i <= 30; i++) {
        cells.add(
            new CellRunner.Cell(
                "G", m, CellRunner.Load.poisson(0.05 * i), 3, SystemSpec.standard()));
      }
    }
    List<CellRunner.Row> rows = runner.run(cells, "goodput@99");
    runner.shutdown();
    Map<String, Double> best = new LinkedHashMap<>();
    Map<String, ModelSetup> modelOf = new LinkedHashMap<>();
    for (CellRunner.Row r : rows) {
      String key = r.model() + "," + r.system().name() + "," + r.system().profile();
      best.putIfAbsent(key, 0.0);
      if (r.sloSatisfaction() >= 0.99) {
        best.merge(key, Double.parseDouble(r.load()), Math::max);
      }
      modelOf.put(
          key, models.stream().filter(m -> m.name().equals(r.model())).findFirst().orElseThrow());
    }
    StringBuilder sb =
        new StringBuilder("model,policy,npu,max_load_at_99pct_slo,requests_per_s_at_99pct_slo\n");
    for (Map.Entry<String, Double> e : best.entrySet()) {
      sb.append(e.getKey())
          .append(',')
          .append(String.format(Locale.ROOT, "%.2f", e.getValue()))
          .append(',')
          .append(
              String.format(
                  Locale.ROOT,
                  "%.0f",
                  e.getValue()
                      * Objects.requireNonNull(modelOf.get(e.getKey())).serviceRatePerSecond()))
          .append('\n');
    }
    Files.writeString(csv, sb.toString());
    System.out.print(sb);
  }

  /**
   * R3: latency through MMPP spikes, p95 per window of 1/20 of a base+spike cycle, for the main
   * systems.
   */
  static void spikeTimeSeries(Path out, List<ModelSetup> models, int requests, int threads)
      throws Exception {
    List<SystemSpec> systems =
        FluidBatchingCommand.pick(
            SystemSpec.FB_FULL, "FB-S", "BL1b-shrink(w=1.0T)", "BL2-AIMD", "BL3-Lazy", "EDF");
    for (ModelSetup m : models) {
      double mu = m.serviceRatePerSecond();
      // About 12 base+spike cycles (mean cycle 2.5 s) at the long-run mean rate of 0.68 mu*.
      int n = (int) Math.min(Math.max(requests, 0.68 * mu * 30), 600_000);
      Trace t = Trace.generate(42, n, CellRunner.Load.SPIKE.process(mu), m.exits(), m.plan());
      long slo = 3 * m.fullDepthNanos();
      long window = 250_000_000L;
      StringBuilder sb =
          new StringBuilder(
              "system,window_start_s,requests,arrival_rate_per_s,p95_ms,slo_satisfaction\n");
      List<Charts.Series> series = new ArrayList<>();
      for (SystemSpec s : systems) {
        SimulationResult r =
            Simulation.run(
                t,
                new Simulation.Config(
                    m.plan(),
                    m.oracle(s.profile()),
                    m.oracle(s.profile()),
                    s.exitAware() ? m.exits().cumulative() : null,
                    () -> s.create(m.fullDepthNanos()),
                    m.maxBatch(),
                    Duration.ofNanos(slo),
                    0,
                    0));
        TreeMap<Long, List<Long>> byWindow = new TreeMap<>();
        for (int i = 0; i < r.count(); i++) {
          byWindow
              .computeIfAbsent(r.arrivals()[i] / window, k -> new ArrayList<>())
              .add(r.latencies()[i]);
        }
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (Map.Entry<Long, List<Long>> w : byWindow.entrySet()) {
          List<Long> l = w.getValue();
          l.sort(null);
          double p95 = l.get(Math.max(0, (int) Math.ceil(0.95 * l.size()) - 1)) / 1e6;
          long ok = l.stream().filter(x -> x <= slo).count();
          double start = w.getKey() * window / 1e9;
          sb.append(s.name())
              .append(',')
              .append(String.format(Locale.ROOT, "%.2f", start))
              .append(',')
              .append(l.size())
              .append(',')
              .append(String.format(Locale.ROOT, "%.0f", l.size() / (window / 1e9)))
              .append(',')
              .append(f(p95))
              .append(',')
              .append(f((double) ok / l.size()))
              .append('\n');
          xs.add(start);
          ys.add(p95);
        }
        series.add(
            new Charts.Series(
                s.name(),
                xs.stream().mapToDouble(Double::doubleValue).toArray(),
                ys.stream().mapToDouble(Double::doubleValue).toArray()));
      }
      Files.writeString(out.resolve("spike-" + m.name() + ".csv"), sb.toString());
      Charts.lines(
          out.resolve("spike-" + m.name() + ".png"),
          m.name()
              + ": p95 latency per 250 ms through MMPP spikes (SLO "
              + String.format(Locale.ROOT, "%.2f", slo / 1e6)
              + " ms)",
          "time (s)",
          "p95 latency (ms, log)",
          series,
          true,
          false);
      System.out.println("R3 " + m.name() + ": " + n + " requests per system");
    }
  }

  /**
   * R4: MAC utilisation per layer and batch size on the baseline NPU, + fluid batching, + stackable
   * PEs.
   */
  static void layerUtilization(Path out) throws IOException {
    StringBuilder sb =
        new StringBuilder(
            "model,stage,layer,rows,depth,columns,batch,npu,layout,cycles,mac_utilization\n");
    List<Charts.Series> series = new ArrayList<>();
    for (PaperModels.EeModel m : List.of(PaperModels.m1(), PaperModels.m2())) {
      for (String p : List.of("baseline-npu", "fluid-npu-no-stacking", "fluid-npu")) {
        NpuProfile np = NpuProfiles.preset(p).withDramBandwidth(0);
        FluidTable t = FluidTable.build(new CostModel(np), m.workload(), 8, LayoutPolicy.FLUID);
        double[] x = new double[8];
        double[] y = new double[8];
        for (int b = 1; b <= 8; b++) {
          double useful = 0;
          double slots = 0;
          Workload w = m.workload();
          for (int s = 0; s < w.stageCount(); s++) {
            List<Layer> layers = w.stages().get(s).allLayers();
            for (int i = 0; i < layers.size(); i++) {
              Layer l = layers.get(i);
              if (!l.isGemm()) {
                continue;
              }
              LayerCost c = t.layer(s, i, b);
              useful += c.usefulMacs();
              slots += c.cycles() * np.macsPerCycle();
              sb.append(m.name())
                  .append(',')
                  .append(s)
                  .append(',')
                  .append(l.name())
                  .append(',')
                  .append(l.rows())
                  .append(',')
                  .append(l.depth())
                  .append(',')
                  .append(l.columns())
                  .append(',')
                  .append(b)
                  .append(',')
                  .append(p)
                  .append(',')
                  .append(c.layout())
                  .append(',')
                  .append(String.format(Locale.ROOT, "%.0f", c.cycles()))
                  .append(',')
                  .append(f(c.macUtilization()))
                  .append('\n');
            }
          }
          x[b - 1] = b;
          y[b - 1] = useful / slots;
        }
        series.add(new Charts.Series(m.name() + " " + p, x, y));
      }
    }
    Files.writeString(out.resolve("r4-layer-utilization.csv"), sb.toString());
    Charts.lines(
        out.resolve("r4-utilization.png"),
        "MAC utilisation over the whole model (compute term) vs batch size",
        "batch size",
        "MAC utilisation",
        series,
        false,
        false);
  }

  /**
   * R9: the design sweep scored with the entry batch-size histogram FB-full produced in R1 at load
   * 0.7, m = 3.
   */
  static void dse(Path out, List<CellRunner.Row> r1, List<ModelSetup> models) throws IOException {
    NpuProfile base = NpuProfiles.preset("fluid-npu");
    for (ModelSetup m : models.subList(0, 2)) {
      CellRunner.Row fb =
          r1.stream()
              .filter(
                  r ->
                      r.model().equals(m.name())
                          && r.load().equals("0.7")
                          && r.sloFactor() == 3
                          && r.system().name().equals(SystemSpec.FB_FULL))
              .findFirst()
              .orElseThrow();
      double[] h = new double[m.maxBatch() + 1];
      double total = 0;
      for (int b = 1; b <= m.maxBatch(); b++) {
        total += fb.entryHistogram()[b];
      }
      for (int b = 1; b <= m.maxBatch(); b++) {
        h[b] = fb.entryHistogram()[b] / total;
      }
      double[] survival = new double[m.plan().stageCount()];
      double[] cum = m.exits().cumulative();
      survival[0] = 1;
      for (int s = 1; s < survival.length; s++) {
        survival[s] = 1 - cum[s - 1];
      }
      List<DesignSweep.Score> scores = new ArrayList<>();
      for (DesignSweep.Design d :
          DesignSweep.designs(
              new int[] {1024, 2048, 4096},
              new int[] {32, 64, 128},
              List.of(List.of(1), List.of(1, 2), List.of(1, 2, 4, 8)))) {
        scores.add(DesignSweep.score(d, base, m.workload(), h, survival));
      }
      scores.sort((a, b) -> Double.compare(a.meanBatchLatencyUs(), b.meanBatchLatencyUs()));
      StringBuilder header =
          new StringBuilder(
              "# batch-size histogram (sizes 1..8) from R1, FB-full, load 0.7, SLO 3x:");
      for (int b = 1; b <= m.maxBatch(); b++) {
        header.append(' ').append(String.format(Locale.ROOT, "%.3f", h[b]));
      }
      Files.writeString(
          out.resolve("r9-dse-" + m.name() + ".csv"), header + "\n" + DesignSweep.csv(scores));
      Map<String, TreeMap<Integer, Double>> best = new LinkedHashMap<>();
      for (DesignSweep.Score s : scores) {
        best.computeIfAbsent(
                "K=" + s.design().stacking() + (s.design().fluid() ? " + FB" : ""),
                k -> new TreeMap<>())
            .merge(s.design().macs(), s.perSampleUs(), Math::min);
      }
      List<Charts.Series> series = new ArrayList<>();
      for (Map.Entry<String, TreeMap<Integer, Double>> e : best.entrySet()) {
        series.add(
            new Charts.Series(
                e.getKey(),
                e.getValue().keySet().stream().mapToDouble(Integer::doubleValue).toArray(),
                e.getValue().values().stream().mapToDouble(Double::doubleValue).toArray()));
      }
      Charts.lines(
          out.resolve("r9-dse-" + m.name() + ".png"),
          m.name() + ": expected per-sample latency vs MAC budget (R1 batch mix)",
          "MACs per cycle",
          "per-sample latency (us)",
          series,
          false,
          false);
    }
  }
}
