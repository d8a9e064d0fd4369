package io.edgenpu.experiments.live;

import io.edgenpu.experiments.RepositoryModel;
import io.edgenpu.experiments.fluid.ModelSetup;
import io.edgenpu.scheduler.sim.ExitProcess;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A served early-exit model as the live experiment sees it: its folder, its config and workload,
 * the exit each held-out sample takes (from {@code eval/exit-trace.csv}, in the order of {@code
 * eval/images-u8.bin}) and its simulator setup on one NPU profile (loads and SLOs refer to that
 * profile).
 */
record LiveModel(Path dir, RepositoryModel model, int[] sampleExits, ModelSetup setup) {
  static LiveModel load(Path dir, String profile) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    Path parent = abs.getParent();
    if (parent == null) {
      throw new IllegalArgumentException("not a model folder: " + dir);
    }
    String name = abs.getFileName().toString();
    RepositoryModel m = RepositoryModel.load(parent, name);
    int[] exits = RepositoryModel.readExitTrace(abs.resolve("eval/exit-trace.csv"));
    ModelSetup setup =
        ModelSetup.stageLevel(
                name,
                m.workload(),
                ExitProcess.trace(exits, m.workload().stageCount(), name + " held-out"),
                m.config().maxBatchSize())
            .withBaseline(profile, name);
    return new LiveModel(abs, m, exits, setup);
  }

  String name() {
    return setup.name();
  }

  /** T_full(1) on the profile: one sample through every stage, emulated nanoseconds. */
  long fullDepthNanos() {
    return setup.fullDepthNanos();
  }
}
