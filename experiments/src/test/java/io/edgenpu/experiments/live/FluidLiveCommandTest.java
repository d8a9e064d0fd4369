package io.edgenpu.experiments.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.repository.ModelConfig;
import io.edgenpu.repository.ModelConfigParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The live experiment's plan and report steps on the shipped models: schedules the client can
 * replay, repositories the service accepts with the policy under test, a prediction for every run,
 * and a report that sets live and simulated figures side by side.
 */
class FluidLiveCommandTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final String MODELS =
      ROOT.resolve("models/repository/ee-digits")
          + ","
          + ROOT.resolve("models/live/ee-resnet18-digits");

  private static int run(Path out, Path work, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "--models",
                MODELS,
                "--profile",
                "edge-tpu-class",
                "--time-scale",
                "50",
                "--seconds",
                "20",
                "--out",
                out.toString(),
                "--work",
                work.toString()));
    args.addAll(List.of(extra));
    return new CommandLine(new FluidLiveCommand()).execute(args.toArray(String[]::new));
  }

  /** Runs the plan step into {@code dir/out} and {@code dir/work}. */
  private static void plan(Path dir) {
    assertThat(run(dir.resolve("out"), dir.resolve("work"), "--step", "plan")).isZero();
  }

  @Test
  void planWritesSchedulesRepositoriesAndAPredictionPerRun(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    Path work = dir.resolve("work");
    plan(dir);

    List<String> runs = Files.readAllLines(work.resolve("runs.csv"));
    assertThat(runs).hasSize(1 + 2 * 3);
    List<String> sim = Files.readAllLines(out.resolve("live-sim.csv"));
    assertThat(sim.get(0)).isEqualTo(LiveReport.HEADER);
    assertThat(sim).hasSize(1 + 2 * 3 * 3);
    for (String row : sim.subList(1, sim.size())) {
      String[] f = row.split(",", -1);
      assertThat(Integer.parseInt(f[4])).as(row).isPositive();
      assertThat(Double.parseDouble(f[6])).as(row).isGreaterThanOrEqualTo(Double.parseDouble(f[5]));
    }

    // The schedule: increasing send times inside the run, samples of the held-out set, at about
    // load x capacity / time scale.
    Path schedule = work.resolve("schedule-ee-resnet18-digits-0.9.csv");
    List<String> rows = Files.readAllLines(schedule);
    long last = -1;
    for (String r : rows.subList(1, rows.size())) {
      String[] f = r.split(",", -1);
      long at = Long.parseLong(f[0]);
      assertThat(at).isGreaterThanOrEqualTo(last).isLessThan(20_000_000L);
      assertThat(Integer.parseInt(f[1])).isBetween(0, 359);
      last = at;
    }
    LiveModel wide =
        LiveModel.load(ROOT.resolve("models/live/ee-resnet18-digits"), "edge-tpu-class");
    double expected = 0.9 * wide.setup().serviceRatePerSecond() / 50 * 20;
    assertThat((double) rows.size() - 1)
        .isCloseTo(expected, org.assertj.core.data.Percentage.withPercentage(20));

    // Every policy's repository parses, with the policy under test, an unbounded FIFO queue, no
    // late dropping, no admission refusals, and the SLO scaled to wall time.
    for (String policy : LivePlan.POLICIES) {
      Path repo = work.resolve("repositories/" + policy + "-ee-resnet18-digits");
      ModelConfig c = ModelConfigParser.parse(repo.resolve("ee-resnet18-digits"), "npu");
      assertThat(c.scheduling().policy()).isEqualTo(policy);
      assertThat(c.scheduling().dropLate()).isFalse();
      assertThat(c.scheduling().admission()).isFalse();
      assertThat(c.scheduling().order()).isEqualTo(ModelConfig.QueueOrder.FIFO);
      assertThat(c.slo().toNanos())
          .isCloseTo(
              Math.round(LivePlan.SLO_FACTOR * wide.fullDepthNanos() * 50),
              org.assertj.core.data.Offset.offset(1_000L));
      assertThat(c.stages()).hasSize(4);
      assertThat(Files.isDirectory(repo.resolve("ee-resnet18-digits/1"))).isTrue();
    }
  }

  @Test
  void reportSetsLiveBesideSimulatedAndComparesThePolicies(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    Path work = dir.resolve("work");
    plan(dir);
    // A live file as the script writes it; here the simulated rows with p50 10 % higher stand in.
    List<String> sim = Files.readAllLines(out.resolve("live-sim.csv"));
    StringBuilder live = new StringBuilder(sim.get(0)).append('\n');
    for (String row : sim.subList(1, sim.size())) {
      String[] f = row.split(",", -1);
      f[5] = String.valueOf(Double.parseDouble(f[5]) * 1.1);
      f[8] = "0";
      live.append(String.join(",", f)).append('\n');
    }
    Files.writeString(out.resolve("live.csv"), live);
    assertThat(run(out, work, "--step", "report")).isZero();

    List<String> vs = Files.readAllLines(out.resolve("live-vs-sim.csv"));
    assertThat(vs).hasSize(sim.size());
    String[] first = vs.get(1).split(",", -1);
    assertThat(Double.parseDouble(first[7]))
        .isCloseTo(0.1, org.assertj.core.data.Offset.offset(0.01));
    List<String> gains = Files.readAllLines(out.resolve("live-gains.csv"));
    assertThat(gains).hasSize(1 + 2 * 3 * 2);
    assertThat(Files.size(out.resolve("live-ee-resnet18-digits.png"))).isPositive();
  }

  @Test
  void calibrationTimesEveryStageAtEveryBatchSizeAndProposesAScalePerModel(@TempDir Path dir)
      throws Exception {
    Path out = dir.resolve("out");
    int exit =
        new CommandLine(new FluidLiveCommand())
            .execute(
                "--step",
                "calibrate",
                "--models",
                ROOT.resolve("models/repository/ee-digits").toString(),
                "--out",
                out.toString(),
                "--work",
                dir.resolve("work").toString());
    assertThat(exit).isZero();
    List<String> rows = Files.readAllLines(out.resolve("host-vs-modelled.csv"));
    assertThat(rows.get(0)).isEqualTo("model,stage,batch,host_p99_us,modelled_us,ratio");
    assertThat(rows).hasSize(1 + 4 * 8); // 4 stages x batch sizes 1..8
    double shortestUs = Double.MAX_VALUE;
    for (String r : rows.subList(1, rows.size())) {
      String[] f = r.split(",", -1);
      assertThat(Double.parseDouble(f[3])).as(r).isPositive();
      shortestUs = Math.min(shortestUs, Double.parseDouble(f[4]));
    }
    List<String> scales = Files.readAllLines(out.resolve(FluidLiveCommand.SCALES));
    assertThat(scales).hasSize(2);
    String[] f = scales.get(1).split(",", -1);
    assertThat(f[0]).isEqualTo("ee-digits");
    // Whatever the host's speed, the scale keeps the shortest stage at or above the floor.
    assertThat(shortestUs * Double.parseDouble(f[2]) / 1e3)
        .isGreaterThanOrEqualTo(LiveCalibration.HOLD_FLOOR_MS);
  }

  @Test
  void anUnknownStepIsRefusedWithANonZeroExit(@TempDir Path dir) {
    assertThat(run(dir.resolve("out"), dir.resolve("work"), "--step", "nonsense")).isNotZero();
  }
}
