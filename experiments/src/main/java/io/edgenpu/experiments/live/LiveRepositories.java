package io.edgenpu.experiments.live;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One model repository per policy and model for the live runs: the model's folder links the
 * original version folder, evaluation data and warm-up sample, and carries a config.yaml that
 * differs from the shipped one only in its SLO (the experiment's, in wall time at the time scale)
 * and its scheduling block (the policy; an unbounded FIFO queue with neither late dropping nor
 * admission refusals, so that every request of the schedule is served, as in the simulator).
 */
final class LiveRepositories {
  private LiveRepositories() {}

  /** Writes {@code root/<policy>-<model>/<model>/}; returns that repository. */
  static Path write(Path root, String policy, LiveModel m, double timeScale) throws IOException {
    Path repo = root.resolve(policy + "-" + m.name());
    Path dir = repo.resolve(m.name());
    Files.createDirectories(dir);
    try (var entries = Files.list(m.dir())) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        String name = String.valueOf(p.getFileName());
        Path link = dir.resolve(name);
        if (!name.equals("config.yaml") && !name.endsWith(".md") && !Files.exists(link)) {
          Files.createSymbolicLink(link, p);
        }
      }
    }
    long full = m.fullDepthNanos();
    long sloMicros = Math.round(LivePlan.SLO_FACTOR * full * timeScale / 1e3);
    long windowMicros = Math.round(LivePlan.WINDOW_FACTOR * full * timeScale / 1e3);
    List<String> original = Files.readAllLines(m.dir().resolve("config.yaml"));
    Files.write(
        dir.resolve("config.yaml"),
        rewrite(original, policy, LivePlan.parameters(policy, m, windowMicros * 1000), sloMicros));
    return repo;
  }

  /** The config's lines with its {@code slo} and {@code scheduling} block replaced. */
  static List<String> rewrite(
      List<String> config, String policy, Map<String, Object> parameters, long sloMicros) {
    List<String> out = new ArrayList<>();
    boolean inScheduling = false;
    for (String line : config) {
      if (inScheduling && (line.startsWith(" ") || line.isBlank())) {
        continue;
      }
      inScheduling = false;
      if (line.startsWith("slo:")) {
        out.add("slo: " + sloMicros + "us   # live experiment: SLO x time scale");
      } else if (line.startsWith("scheduling:")) {
        inScheduling = true;
        out.add("scheduling:   # live experiment: every request is served, in arrival order");
        out.add("  policy: " + policy);
        if (!parameters.isEmpty()) {
          List<String> kv = new ArrayList<>();
          parameters.forEach((k, v) -> kv.add(k + ": " + v));
          out.add("  parameters: {" + String.join(", ", kv) + "}");
        }
        out.add("  queue: {max-size: 0}");
        out.add("  order: fifo");
        out.add("  drop-late: false");
        out.add("  admission: false");
      } else {
        out.add(line);
      }
    }
    return out;
  }
}
