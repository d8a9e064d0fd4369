package io.edgenpu.repository;

import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.workload.Layer;
import io.edgenpu.npu.workload.Workload;
import io.edgenpu.npu.workload.WorkloadExtractor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The NPU workload of a repository model version, read from its ONNX graphs: one stage for a plain
 * model; for an early-exit model, each stage's backbone layers followed by its exit head's layers.
 */
public final class ModelWorkloads {
  private ModelWorkloads() {}

  /** Resolves a graph file inside a version folder, refusing paths that leave it. */
  public static Path graphFile(Path versionDir, String relative) throws IOException {
    Path f = versionDir.resolve(relative).normalize();
    if (!f.startsWith(versionDir.normalize())) {
      throw new IOException("graph path '" + relative + "' leaves the version folder");
    }
    if (!Files.isRegularFile(f)) {
      throw new IOException("graph file not found: " + f);
    }
    return f;
  }

  public static Workload of(ModelConfig config, Path versionDir) throws IOException {
    String name = config.name() + ":" + versionDir.getFileName();
    List<Workload.Stage> stages = new ArrayList<>();
    if (!config.isEarlyExit()) {
      stages.add(new Workload.Stage("model", layers(versionDir, config.singleGraph()), List.of()));
      return new Workload(name, stages);
    }
    for (int s = 0; s < config.stages().size(); s++) {
      ModelConfig.StageConfig sc = config.stages().get(s);
      List<Layer> head = sc.exitGraph() == null ? List.of() : layers(versionDir, sc.exitGraph());
      stages.add(new Workload.Stage("stage" + s, layers(versionDir, sc.graph()), head));
    }
    return new Workload(name, stages);
  }

  private static List<Layer> layers(Path versionDir, String graph) throws IOException {
    return WorkloadExtractor.layers(OnnxModel.read(graphFile(versionDir, graph)));
  }

  /** A repository model's latest (highest) numeric version folder. */
  public static Path latestVersion(Path modelDir) throws IOException {
    try (var s = Files.list(modelDir)) {
      return s.filter(Files::isDirectory)
          .filter(p -> p.getFileName().toString().matches("[1-9][0-9]*"))
          .max(
              (a, b) ->
                  Long.compare(
                      Long.parseLong(a.getFileName().toString()),
                      Long.parseLong(b.getFileName().toString())))
          .orElseThrow(() -> new IOException("no version folder in " + modelDir));
    }
  }
}
