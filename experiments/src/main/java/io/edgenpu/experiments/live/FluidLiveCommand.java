package io.edgenpu.experiments.live;

import ai.onnxruntime.OrtException;
import io.edgenpu.experiments.options.OutputFolderOption;
import io.edgenpu.scheduler.sim.SimulationResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fluid-live}: the Java steps of the live fluid-batching experiment ({@code
 * docs/results/fluid-batching/live.sh} runs them around the live service).
 *
 * <ul>
 *   <li>{@code --step calibrate}: host vs modelled time per stage and batch size, and the time
 *       scale that keeps host compute inside every stage's held time ({@code host-vs-modelled.csv},
 *       {@code time-scale.csv}, one scale per model: each model runs on its own service instance);
 *   <li>{@code --step plan}: per model and load the open-loop schedule, per policy a repository
 *       (both in {@code --work}), and the simulator's prediction of every run ({@code
 *       live-sim.csv}); {@code runs.csv} in {@code --work} lists the runs for the script;
 *   <li>{@code --step report}: live and simulated side by side ({@code live-vs-sim.csv}) and a
 *       chart per model, from {@code live.csv} (written by the live client) and {@code
 *       live-sim.csv}.
 * </ul>
 */
@Command(
    name = "fluid-live",
    mixinStandardHelpOptions = true,
    description = "Steps of the live fluid-batching experiment: calibrate, plan, report.")
public final class FluidLiveCommand implements Callable<Integer> {
  @Option(names = "--step", required = true, description = "calibrate, plan or report")
  String step;

  @Option(
      names = "--models",
      split = ",",
      defaultValue = "models/repository/ee-digits,models/live/ee-resnet18-digits",
      description = "model folders (default: ${DEFAULT-VALUE})")
  List<Path> models;

  @Option(
      names = "--profile",
      defaultValue = "edge-tpu-class",
      description = "NPU profile (default: ${DEFAULT-VALUE})")
  String profile;

  @Option(
      names = "--headroom",
      defaultValue = "2",
      description = "time scale = headroom x the model's worst host/modelled ratio (default: 2)")
  double headroom;

  @Option(
      names = "--time-scale",
      defaultValue = "0",
      description = "live time scale for every model; 0 = each model's calibrated one")
  double timeScale;

  @Option(names = "--loads", split = ",", defaultValue = "0.5,0.7,0.9")
  List<Double> loads;

  @Option(names = "--seconds", defaultValue = "40", description = "length of each schedule")
  double seconds;

  @Option(names = "--seed", defaultValue = "1")
  long seed;

  @Option(
      names = "--work",
      defaultValue = "target/fluid-live",
      description = "schedules and per-policy repositories (default: ${DEFAULT-VALUE})")
  Path work;

  @Mixin OutputFolderOption out;

  /** The calibration's time scale per model. */
  static final String SCALES = "time-scale.csv";

  @Override
  public Integer call() throws Exception {
    out.create();
    List<LiveModel> loaded = new ArrayList<>();
    for (Path m : models) {
      loaded.add(LiveModel.load(m, profile));
    }
    switch (step) {
      case "calibrate" -> calibrate(loaded);
      case "plan" -> plan(loaded);
      case "report" -> LiveReport.write(out.path(), loaded);
      default -> throw new IllegalArgumentException("unknown step '" + step + "'");
    }
    return 0;
  }

  private void calibrate(List<LiveModel> loaded) throws IOException, OrtException {
    List<LiveCalibration.Row> rows = LiveCalibration.measure(loaded, profile);
    LiveCalibration.write(out.resolve("host-vs-modelled.csv"), rows);
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out.resolve(SCALES)))) {
      w.println("model,profile,time_scale,headroom");
      for (LiveModel m : loaded) {
        double scale = LiveCalibration.timeScale(rows, m.name(), headroom);
        w.printf(Locale.ROOT, "%s,%s,%.0f,%.1f%n", m.name(), profile, scale, headroom);
        System.out.printf(
            Locale.ROOT,
            "%s on %s: time scale %.0f (headroom %.1f)%n",
            m.name(),
            profile,
            scale,
            headroom);
      }
    }
  }

  /** Calibrated time scales: model -> scale. */
  private Map<String, Double> scales() throws IOException {
    Map<String, Double> out = new HashMap<>();
    List<String> lines = Files.readAllLines(this.out.resolve(SCALES));
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      out.put(f[0], Double.parseDouble(f[2]));
    }
    return out;
  }

  private void plan(List<LiveModel> loaded) throws IOException {
    Map<String, Double> scales = timeScale > 0 ? Map.of() : scales();
    Files.createDirectories(work);
    try (PrintWriter runs = new PrintWriter(Files.newBufferedWriter(work.resolve("runs.csv")));
        PrintWriter sim = new PrintWriter(Files.newBufferedWriter(out.resolve("live-sim.csv")))) {
      runs.println("model,load,schedule,slo_wall_us,time_scale,images");
      sim.println(LiveReport.HEADER);
      for (LiveModel m : loaded) {
        double scale = timeScale > 0 ? timeScale : scales.get(m.name());
        for (String policy : LivePlan.POLICIES) {
          LiveRepositories.write(work.resolve("repositories"), policy, m, scale);
        }
        System.out.printf(
            Locale.ROOT,
            "%s on %s: T_full(1) = %.1f us, mu* = %.0f samples/s (emulated); time scale %.0f%n",
            m.name(),
            profile,
            m.fullDepthNanos() / 1e3,
            m.setup().serviceRatePerSecond(),
            scale);
        for (double load : loads) {
          LivePlan.Run run = LivePlan.plan(m, load, scale, seconds, seed);
          Path schedule = work.resolve(run.scheduleName());
          LivePlan.writeSchedule(schedule, run);
          runs.printf(
              Locale.ROOT,
              "%s,%.1f,%s,%d,%.0f,%s%n",
              m.name(),
              load,
              schedule,
              Math.round(LivePlan.SLO_FACTOR * m.fullDepthNanos() * scale / 1e3),
              scale,
              m.dir().resolve("eval/images-u8.bin"));
          for (String policy : LivePlan.POLICIES) {
            SimulationResult r = LivePlan.simulate(run, policy, profile);
            sim.printf(
                Locale.ROOT,
                "%s,%s,%s,%.1f,%d,%.3f,%.3f,%.4f,n/a,%.0f,%d,0,%6$.3f,%7$.3f%n",
                policy,
                profile,
                m.name(),
                load,
                r.count(),
                r.percentileMillis(50),
                r.percentileMillis(99),
                r.sloSatisfaction(),
                scale,
                r.preemptions());
          }
        }
      }
    }
    System.out.printf(Locale.ROOT, "plan in %s, prediction in %s%n", work, out.path());
  }
}
