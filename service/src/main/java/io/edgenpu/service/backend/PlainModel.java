package io.edgenpu.service.backend;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.repository.ModelConfig;
import io.edgenpu.repository.TensorSpec;
import io.edgenpu.scheduler.core.StagePlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** A model of one ONNX graph: one stage, every sample "exits" when it has run. */
public final class PlainModel extends ModelInstance {
  private final OrtGraph graph;
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;

  public PlainModel(
      OrtEnvironment env, ModelConfig config, long version, Path versionDir, int intraOpThreads)
      throws IOException, OrtException {
    super(config, version, versionDir);
    this.graph = new OrtGraph(env, graphFile(versionDir, config.singleGraph()), intraOpThreads);
    try {
      this.inputs = resolve("input", config.inputs(), graph.inputs());
      this.outputs = resolve("output", config.outputs(), graph.outputs());
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  @Override
  public List<TensorSpec> inputs() {
    return inputs;
  }

  @Override
  public List<TensorSpec> outputs() {
    return outputs;
  }

  @Override
  public StagePlan plan() {
    return StagePlan.single();
  }

  @Override
  public PreparedRequest prepare(
      Map<String, Tensor> inputs, int batch, Map<String, Object> parameters, double exitThreshold) {
    return new RowRequest(inputs, batch, exitThreshold);
  }

  @Override
  protected boolean[] compute(int stage, List<SampleState> samples) throws OrtException {
    boolean[] exited = new boolean[samples.size()];
    // Samples with variable-size inputs (e.g. images of different sizes) run in one group per
    // shape.
    for (List<Integer> group : groupByInputShape(samples)) {
      Map<String, Tensor> feeds = new LinkedHashMap<>();
      for (TensorSpec in : graph.inputs()) {
        List<Tensor> parts = new ArrayList<>(group.size());
        for (int i : group) {
          parts.add(samples.get(i).inputs().get(in.name()));
        }
        feeds.put(in.name(), Tensor.concatRows(parts));
      }
      Map<String, Tensor> out = graph.run(feeds);
      for (int k = 0; k < group.size(); k++) {
        int i = group.get(k);
        samples.get(i).setOutputs(group.size() == 1 ? out : OrtGraph.row(out, k), -1);
        exited[i] = true;
      }
    }
    return exited;
  }

  private static List<List<Integer>> groupByInputShape(List<SampleState> samples) {
    if (samples.size() == 1) {
      return List.of(List.of(0));
    }
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < samples.size(); i++) {
      StringBuilder key = new StringBuilder();
      for (Map.Entry<String, Tensor> e : new TreeMap<>(samples.get(i).inputs()).entrySet()) {
        key.append(e.getKey()).append(Arrays.toString(e.getValue().shape()));
      }
      groups.computeIfAbsent(key.toString(), k -> new ArrayList<>()).add(i);
    }
    return new ArrayList<>(groups.values());
  }

  @Override
  protected void warmUp(int batch, @Nullable Map<String, Tensor> inputs) throws OrtException {
    if (inputs == null) {
      graph.warmUp(batch);
    } else {
      graph.run(inputs);
    }
  }

  @Override
  protected void freeNative() {
    graph.close();
  }
}
