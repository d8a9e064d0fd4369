package io.edgenpu.experiments.live;

import io.edgenpu.experiments.Charts;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Live and simulated runs side by side. Both files have {@link #HEADER}'s columns; latencies are in
 * emulated milliseconds (wall time divided by the time scale for live rows); {@code server_*} is
 * the service's own part (arrival to response, from each answer's timeline), the same as the
 * client's figures for simulated rows. Writes {@code live-vs-sim.csv} (p50 and p99 of each run,
 * simulated, inside the service and at the client, and the relative differences of p50), {@code
 * live-gains.csv} (fluid's p99 against the better of dynamic batching and FCFS, live and simulated)
 * and {@code live-<model>.png}.
 */
final class LiveReport {
  static final String HEADER =
      "policy,profile,model,load,requests,p50_ms,p99_ms,slo_attainment,overruns,time_scale,"
          + "preemptions,errors,server_p50_ms,server_p99_ms";

  /** One row of live.csv or live-sim.csv. */
  record Result(
      String policy,
      String model,
      String load,
      double p50,
      double p99,
      double serverP50,
      double serverP99) {
    String key() {
      return policy + "|" + model + "|" + load;
    }
  }

  private LiveReport() {}

  static List<Result> read(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    List<String> header = List.of(lines.get(0).split(",", -1));
    List<Result> out = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      out.add(
          new Result(
              f[header.indexOf("policy")],
              f[header.indexOf("model")],
              f[header.indexOf("load")],
              Double.parseDouble(f[header.indexOf("p50_ms")]),
              Double.parseDouble(f[header.indexOf("p99_ms")]),
              Double.parseDouble(f[header.indexOf("server_p50_ms")]),
              Double.parseDouble(f[header.indexOf("server_p99_ms")])));
    }
    return out;
  }

  static void write(Path folder, List<LiveModel> models) throws IOException {
    List<Result> live = read(folder.resolve("live.csv"));
    Map<String, Result> sim = new HashMap<>();
    for (Result r : read(folder.resolve("live-sim.csv"))) {
      sim.put(r.key(), r);
    }
    try (PrintWriter w =
        new PrintWriter(Files.newBufferedWriter(folder.resolve("live-vs-sim.csv")))) {
      w.println(
          "policy,model,load,sim_p50_ms,live_server_p50_ms,server_p50_rel_diff,live_p50_ms,"
              + "p50_rel_diff,sim_p99_ms,live_server_p99_ms,live_p99_ms");
      for (Result l : live) {
        Result s = sim.get(l.key());
        if (s == null) {
          continue;
        }
        w.printf(
            Locale.ROOT,
            "%s,%s,%s,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f%n",
            l.policy(),
            l.model(),
            l.load(),
            s.p50(),
            l.serverP50(),
            (l.serverP50() - s.p50()) / s.p50(),
            l.p50(),
            (l.p50() - s.p50()) / s.p50(),
            s.p99(),
            l.serverP99(),
            l.p99());
      }
    }
    Map<String, Result> byKey = new HashMap<>();
    for (Result r : live) {
      byKey.put(r.key(), r);
    }
    try (PrintWriter w =
        new PrintWriter(Files.newBufferedWriter(folder.resolve("live-gains.csv")))) {
      w.println(
          "source,model,load,fluid_p99_ms,dynamic_p99_ms,fcfs_p99_ms,best_other_over_fluid_p99");
      for (LiveModel m : models) {
        for (String load : loads(live, m.name())) {
          gainRow(w, "live", byKey, m.name(), load);
          gainRow(w, "simulated", sim, m.name(), load);
        }
        chart(folder, m.name(), live, sim);
      }
    }
  }

  private static List<String> loads(List<Result> rows, String model) {
    List<String> out = new ArrayList<>();
    for (Result r : rows) {
      if (r.model().equals(model) && !out.contains(r.load())) {
        out.add(r.load());
      }
    }
    return out;
  }

  private static void gainRow(
      PrintWriter w, String source, Map<String, Result> rows, String model, String load) {
    Result f = rows.get("fluid|" + model + "|" + load);
    Result d = rows.get("dynamic|" + model + "|" + load);
    Result c = rows.get("fcfs|" + model + "|" + load);
    if (f == null || d == null || c == null) {
      return;
    }
    w.printf(
        Locale.ROOT,
        "%s,%s,%s,%.3f,%.3f,%.3f,%.2f%n",
        source,
        model,
        load,
        f.p99(),
        d.p99(),
        c.p99(),
        Math.min(d.p99(), c.p99()) / f.p99());
  }

  private static void chart(Path folder, String model, List<Result> live, Map<String, Result> sim)
      throws IOException {
    List<Charts.Series> series = new ArrayList<>();
    for (String policy : LivePlan.POLICIES) {
      List<String> loads = loads(live, model);
      double[] x = new double[loads.size()];
      double[] yl = new double[loads.size()];
      double[] ys = new double[loads.size()];
      for (int i = 0; i < loads.size(); i++) {
        x[i] = Double.parseDouble(loads.get(i));
        String key = policy + "|" + model + "|" + loads.get(i);
        for (Result r : live) {
          if (r.key().equals(key)) {
            yl[i] = r.p99();
          }
        }
        Result s = sim.get(key);
        ys[i] = s == null ? Double.NaN : s.p99();
      }
      series.add(new Charts.Series(policy + " live", x, yl));
      series.add(new Charts.Series(policy + " simulated", x, ys));
    }
    Charts.lines(
        folder.resolve("live-" + model + ".png"),
        model + ": p99 latency, live vs simulated (emulated ms)",
        "load (share of the device's capacity)",
        "p99 latency (ms, emulated time)",
        series,
        true,
        false);
  }
}
