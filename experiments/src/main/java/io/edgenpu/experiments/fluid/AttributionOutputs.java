package io.edgenpu.experiments.fluid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The files of {@code fluid-attribution}:
 *
 * <ul>
 *   <li>{@code attribution.csv}: per profile, regime (stable: load &lt;= 0.9; overload: above, and
 *       the spike) and comparison, per baseline (each family, its best variant per cell, and {@code
 *       best}: the best of all baselines per cell), the geometric mean over the cells of the ratios
 *       baseline / ours (average latency, p99) and ours / baseline (SLO satisfaction per request
 *       and per window). A ratio whose denominator is 0 (a system that met no request of the SLO)
 *       is capped at {@value #CAP} and counted in {@code capped_cells}; nothing is dropped.
 *   <li>{@code attribution-cells.csv}: every system in every cell.
 *   <li>{@code activity.csv}: per cell, what our scheduler did (mean batch at entry, share of
 *       batch-1 entries, preemptions, merges, wasted work) beside the same scheduler with
 *       preemption forced and switched off.
 * </ul>
 */
final class AttributionOutputs {
  /** Largest ratio reported; a ratio over a zero is capped here. */
  static final double CAP = 100;

  private AttributionOutputs() {}

  static void write(Path out, List<CellRunner.Row> rows) throws IOException {
    Files.writeString(out.resolve("attribution-cells.csv"), cellsCsv(rows));
    Files.writeString(out.resolve("attribution.csv"), attributionCsv(rows));
    Files.writeString(out.resolve("activity.csv"), activityCsv(rows));
  }

  /** Cell key (profile, model, load, SLO factor) -> its rows by system name. */
  private static Map<String, Map<String, CellRunner.Row>> byCell(List<CellRunner.Row> rows) {
    Map<String, Map<String, CellRunner.Row>> cells = new LinkedHashMap<>();
    for (CellRunner.Row r : rows) {
      cells
          .computeIfAbsent(
              r.experiment() + "|" + r.model() + "|" + r.load() + "|" + r.sloFactor(),
              k -> new LinkedHashMap<>())
          .put(r.system().name(), r);
    }
    return cells;
  }

  static boolean overload(CellRunner.Row r) {
    return r.load().equals("spike") || Double.parseDouble(r.load()) > 0.9;
  }

  private static String cellsCsv(List<CellRunner.Row> rows) {
    StringBuilder b =
        new StringBuilder(
            "profile,model,load,slo_factor,system,npu,avg_latency_ms,p99_ms,slo_satisfaction,"
                + "windowed_slo_satisfaction,preemptions_per_run,merges_per_run,wasted_fraction,"
                + "mean_entry_batch,batch1_entry_share\n");
    for (CellRunner.Row r : rows) {
      b.append(
          String.format(
              Locale.ROOT,
              "%s,%s,%s,%.2f,%s,%s,%.4f,%.4f,%.4f,%.4f,%.1f,%.1f,%.4f,%.3f,%.4f%n",
              r.experiment(),
              r.model(),
              r.load(),
              r.sloFactor(),
              r.system().name(),
              r.system().profile(),
              r.avgLatencyMs(),
              r.p99Ms(),
              r.sloSatisfaction(),
              r.windowedSlo(),
              r.preemptions(),
              r.merges(),
              r.wastedFraction(),
              meanEntryBatch(r.entryHistogram()),
              batch1Share(r.entryHistogram())));
    }
    return b.toString();
  }

  static double meanEntryBatch(long[] h) {
    double n = 0;
    double sum = 0;
    for (int b = 1; b < h.length; b++) {
      n += h[b];
      sum += (double) b * h[b];
    }
    return n == 0 ? 0 : sum / n;
  }

  static double batch1Share(long[] h) {
    double n = 0;
    for (int b = 1; b < h.length; b++) {
      n += h[b];
    }
    return n == 0 ? 0 : h[1] / n;
  }

  /** A comparison's "ours" row and the baseline rows it is set against, per cell. */
  private record Pair(CellRunner.Row ours, List<CellRunner.Row> baseline) {}

  private static String attributionCsv(List<CellRunner.Row> rows) {
    StringBuilder b =
        new StringBuilder(
            "profile,regime,comparison,baseline,avg_latency_ratio,slo_satisfaction_ratio,p99_ratio,"
                + "windowed_slo_satisfaction_ratio,cells,capped_cells\n");
    Map<String, Map<String, CellRunner.Row>> cells = byCell(rows);
    List<String> profiles = new ArrayList<>();
    for (CellRunner.Row r : rows) {
      if (!profiles.contains(r.experiment())) {
        profiles.add(r.experiment());
      }
    }
    List<String> baselines = new ArrayList<>(SystemSpec.BASELINE_FAMILIES);
    baselines.add("best");
    for (String profile : profiles) {
      for (String regime : List.of("stable", "overload")) {
        // Scheduler: ours vs each baseline on the same NPU.
        for (String base : baselines) {
          b.append(
              row(
                  profile,
                  regime,
                  "scheduler",
                  base,
                  pairs(cells, profile, regime, FluidAttributionCommand.OURS, base)));
        }
        // Hardware: the same scheduler with and without stackable PEs and fluid batching.
        b.append(
            row(
                profile,
                regime,
                "hardware",
                FluidAttributionCommand.OURS + " on " + profile,
                pairs(
                    cells,
                    profile,
                    regime,
                    FluidAttributionCommand.OURS_FLUID_HW,
                    FluidAttributionCommand.OURS)));
        // Combined: both against each baseline on the conventional NPU.
        for (String base : baselines) {
          b.append(
              row(
                  profile,
                  regime,
                  "combined",
                  base,
                  pairs(cells, profile, regime, FluidAttributionCommand.OURS_FLUID_HW, base)));
        }
      }
    }
    return b.toString();
  }

  /**
   * For each cell of the profile and regime: our row and the baseline's rows (a family, "best").
   */
  private static List<Pair> pairs(
      Map<String, Map<String, CellRunner.Row>> cells,
      String profile,
      String regime,
      String ours,
      String baseline) {
    List<Pair> out = new ArrayList<>();
    for (Map<String, CellRunner.Row> cell : cells.values()) {
      CellRunner.Row o = cell.get(ours);
      if (o == null
          || !o.experiment().equals(profile)
          || overload(o) != regime.equals("overload")) {
        continue;
      }
      List<CellRunner.Row> base = new ArrayList<>();
      for (CellRunner.Row r : cell.values()) {
        boolean isBaseline = SystemSpec.BASELINE_FAMILIES.contains(r.system().family());
        if (r.system().name().equals(baseline)
            || (isBaseline && (baseline.equals("best") || r.system().family().equals(baseline)))) {
          base.add(r);
        }
      }
      if (!base.isEmpty()) {
        out.add(new Pair(o, base));
      }
    }
    return out;
  }

  private static String row(
      String profile, String regime, String comparison, String baseline, List<Pair> pairs) {
    int[] capped = new int[1];
    double latency =
        geoMean(
            pairs,
            p ->
                ratio(
                    best(p.baseline(), CellRunner.Row::avgLatencyMs, true),
                    p.ours().avgLatencyMs(),
                    capped));
    double p99 =
        geoMean(
            pairs,
            p -> ratio(best(p.baseline(), CellRunner.Row::p99Ms, true), p.ours().p99Ms(), capped));
    double slo =
        geoMean(
            pairs,
            p ->
                ratio(
                    p.ours().sloSatisfaction(),
                    best(p.baseline(), CellRunner.Row::sloSatisfaction, false),
                    capped));
    double windowed =
        geoMean(
            pairs,
            p ->
                ratio(
                    p.ours().windowedSlo(),
                    best(p.baseline(), CellRunner.Row::windowedSlo, false),
                    capped));
    return String.format(
        Locale.ROOT,
        "%s,%s,%s,%s,%.3f,%.3f,%.3f,%.3f,%d,%d%n",
        profile,
        regime,
        comparison,
        baseline,
        latency,
        slo,
        p99,
        windowed,
        pairs.size(),
        capped[0]);
  }

  /**
   * The best value among a baseline's rows in one cell (its best variant, or the best baseline).
   */
  private static double best(
      List<CellRunner.Row> rows, ToDoubleFunction<CellRunner.Row> f, boolean lowerIsBetter) {
    double best = lowerIsBetter ? Double.MAX_VALUE : -Double.MAX_VALUE;
    for (CellRunner.Row r : rows) {
      double v = f.applyAsDouble(r);
      best = lowerIsBetter ? Math.min(best, v) : Math.max(best, v);
    }
    return best;
  }

  /** num / den within [1/CAP, CAP]; 1 when both are 0; a capped value is counted. */
  static double ratio(double num, double den, int[] capped) {
    if (num == 0 && den == 0) {
      return 1;
    }
    if (den == 0 || num / den > CAP) {
      capped[0]++;
      return CAP;
    }
    if (num == 0 || num / den < 1 / CAP) {
      capped[0]++;
      return 1 / CAP;
    }
    return num / den;
  }

  private static double geoMean(List<Pair> pairs, ToDoubleFunction<Pair> ratio) {
    if (pairs.isEmpty()) {
      return Double.NaN;
    }
    double logs = 0;
    for (Pair p : pairs) {
      logs += Math.log(ratio.applyAsDouble(p));
    }
    return Math.exp(logs / pairs.size());
  }

  private static String activityCsv(List<CellRunner.Row> rows) {
    StringBuilder b =
        new StringBuilder(
            "profile,model,load,slo_factor,variant,mean_entry_batch,batch1_entry_share,"
                + "preemptions_per_run,merges_per_run,wasted_fraction,avg_latency_ms,p99_ms,"
                + "slo_satisfaction\n");
    for (Map<String, CellRunner.Row> cell : byCell(rows).values()) {
      for (String variant :
          List.of(
              FluidAttributionCommand.OURS,
              FluidAttributionCommand.FORCED,
              FluidAttributionCommand.NO_PREEMPTION,
              FluidAttributionCommand.OURS_FLUID_HW)) {
        CellRunner.Row r = cell.get(variant);
        if (r == null) {
          continue;
        }
        b.append(
            String.format(
                Locale.ROOT,
                "%s,%s,%s,%.2f,%s,%.3f,%.4f,%.1f,%.1f,%.4f,%.4f,%.4f,%.4f%n",
                r.experiment(),
                r.model(),
                r.load(),
                r.sloFactor(),
                variant,
                meanEntryBatch(r.entryHistogram()),
                batch1Share(r.entryHistogram()),
                r.preemptions(),
                r.merges(),
                r.wastedFraction(),
                r.avgLatencyMs(),
                r.p99Ms(),
                r.sloSatisfaction()));
      }
    }
    return b.toString();
  }
}
