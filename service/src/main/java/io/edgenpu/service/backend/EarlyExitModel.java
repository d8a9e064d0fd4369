package io.edgenpu.service.backend;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.edgenpu.api.tensor.DataType;
import io.edgenpu.api.tensor.Shapes;
import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.repository.ModelConfig;
import io.edgenpu.repository.TensorSpec;
import io.edgenpu.scheduler.core.StagePlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An early-exit network: one ONNX graph per stage (one input, one output each) and an exit head
 * (class probabilities first) after some stages. A sample exits at the first head whose top
 * probability reaches the threshold (the request's {@code exit_threshold}, else the stage's own),
 * and always at the last stage. Its answer carries the heads' outputs plus {@link
 * #EXIT_INDEX_OUTPUT}.
 */
public final class EarlyExitModel extends ModelInstance {
  /** Name of the extra output: the index of the exit each sample took. */
  public static final String EXIT_INDEX_OUTPUT = "exit_index";

  private final List<OrtGraph> stages = new ArrayList<>();
  private final List<OrtGraph> heads = new ArrayList<>();
  private final double[] thresholds;
  private final StagePlan plan;
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;

  public EarlyExitModel(
      OrtEnvironment env, ModelConfig config, long version, Path versionDir, int intraOpThreads)
      throws IOException, OrtException {
    super(config, version, versionDir);
    int n = config.stages().size();
    boolean[] exitAfter = new boolean[n];
    this.thresholds = new double[n];
    try {
      TensorSpec previousOut = null;
      List<TensorSpec> headOutputs = null;
      for (int s = 0; s < n; s++) {
        ModelConfig.StageConfig sc = config.stages().get(s);
        OrtGraph g = new OrtGraph(env, graphFile(versionDir, sc.graph()), intraOpThreads);
        stages.add(g);
        if (g.inputs().size() != 1 || g.outputs().size() != 1) {
          throw new IllegalArgumentException(
              sc.graph() + ": a stage graph must have exactly one input and one output");
        }
        if (previousOut != null && !compatible(previousOut, g.inputs().get(0))) {
          throw new IllegalArgumentException(
              sc.graph()
                  + " takes "
                  + g.inputs().get(0)
                  + " but the previous stage gives "
                  + previousOut);
        }
        previousOut = g.outputs().get(0);
        heads.add(null);
        if (sc.exitGraph() != null) {
          OrtGraph h = new OrtGraph(env, graphFile(versionDir, sc.exitGraph()), intraOpThreads);
          heads.set(s, h);
          if (h.inputs().size() != 1 || !compatible(previousOut, h.inputs().get(0))) {
            throw new IllegalArgumentException(
                sc.exitGraph()
                    + " must take the output of "
                    + sc.graph()
                    + " ("
                    + previousOut
                    + ")");
          }
          if (headOutputs == null) {
            headOutputs = h.outputs();
          } else if (!headOutputs.equals(h.outputs())) {
            throw new IllegalArgumentException(
                "exit heads must all have the same outputs: "
                    + sc.exitGraph()
                    + " has "
                    + h.outputs()
                    + ", expected "
                    + headOutputs);
          }
          if (h.outputs().get(0).dataType() != DataType.FP32) {
            throw new IllegalArgumentException(
                sc.exitGraph() + ": the first output must be FP32 class probabilities");
          }
          exitAfter[s] = true;
        }
        thresholds[s] = sc.threshold();
      }
      if (headOutputs == null) {
        throw new IllegalArgumentException(
            "an early-exit model needs an exit head after its last stage");
      }
      this.plan = new StagePlan(exitAfter);
      this.inputs = resolve("input", config.inputs(), stages.get(0).inputs());
      List<TensorSpec> outs = new ArrayList<>(headOutputs);
      outs.add(new TensorSpec(EXIT_INDEX_OUTPUT, DataType.INT32, new long[] {1}));
      this.outputs = resolve("output", config.outputs(), outs);
    } catch (IOException | OrtException | RuntimeException e) {
      freeNative();
      throw e;
    }
  }

  private static boolean compatible(TensorSpec a, TensorSpec b) {
    return a.dataType() == b.dataType()
        && (Shapes.matches(b.shape(), a.shape()) || Shapes.matches(a.shape(), b.shape()));
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
    return plan;
  }

  /** The model's own confidence threshold at a stage's exit. */
  public double threshold(int stage) {
    return thresholds[stage];
  }

  @Override
  public PreparedRequest prepare(
      Map<String, Tensor> inputs, int batch, Map<String, Object> parameters, double exitThreshold) {
    return new RowRequest(inputs, batch, exitThreshold);
  }

  @Override
  protected boolean[] compute(int stage, List<SampleState> samples) throws OrtException {
    int n = samples.size();
    boolean[] exited = new boolean[n];
    List<Tensor> parts = new ArrayList<>(n);
    for (SampleState s : samples) {
      parts.add(stage == 0 ? s.inputs().values().iterator().next() : s.activation());
    }
    OrtGraph g = stages.get(stage);
    Tensor activation =
        g.run(Map.of(g.inputs().get(0).name(), Tensor.concatRows(parts)))
            .values()
            .iterator()
            .next();
    OrtGraph head = heads.get(stage);
    Map<String, Tensor> headOut =
        head == null ? null : head.run(Map.of(head.inputs().get(0).name(), activation));
    boolean last = stage == plan.lastStage();
    Tensor probabilities = headOut == null ? null : headOut.values().iterator().next();
    float[] probs = probabilities == null ? null : probabilities.toFloatArray();
    int classes = probabilities == null ? 0 : (int) Shapes.rowElements(probabilities.shape());
    for (int i = 0; i < n; i++) {
      SampleState s = samples.get(i);
      if (s.hasOutputs()) {
        continue;
      }
      boolean exits = last;
      if (!exits && probs != null) {
        double threshold = Double.isNaN(s.exitThreshold()) ? thresholds[stage] : s.exitThreshold();
        exits = maxInRow(probs, i, classes) >= threshold;
      }
      if (exits) {
        Map<String, Tensor> o =
            new LinkedHashMap<>(
                n == 1
                    ? Objects.requireNonNull(headOut)
                    : OrtGraph.row(Objects.requireNonNull(headOut), i));
        o.put(
            EXIT_INDEX_OUTPUT,
            Tensor.ofInts(new long[] {1, 1}, new int[] {plan.exitIndexOf(stage)}));
        s.setOutputs(o, plan.exitIndexOf(stage));
        exited[i] = true;
      } else {
        s.setActivation(n == 1 ? activation : activation.sliceRows(i, i + 1));
      }
    }
    return exited;
  }

  private static float maxInRow(float[] values, int row, int width) {
    float m = Float.NEGATIVE_INFINITY;
    for (int j = 0; j < width; j++) {
      m = Math.max(m, values[row * width + j]);
    }
    return m;
  }

  /**
   * Runs every stage (and its head) at this batch size, each stage on the previous one's
   * activation.
   */
  @Override
  protected void warmUp(int batch, @Nullable Map<String, Tensor> inputs) throws OrtException {
    Tensor x = inputs == null ? null : inputs.values().iterator().next();
    for (int s = 0; s < stages.size(); s++) {
      OrtGraph g = stages.get(s);
      Tensor activation;
      if (x == null) {
        g.warmUp(batch);
        activation = null;
      } else {
        activation = g.run(Map.of(g.inputs().get(0).name(), x)).values().iterator().next();
      }
      OrtGraph head = heads.get(s);
      if (head != null) {
        if (activation == null) {
          head.warmUp(batch);
        } else {
          head.run(Map.of(head.inputs().get(0).name(), activation));
        }
      }
      x = activation;
    }
  }

  @Override
  protected void freeNative() {
    for (OrtGraph g : stages) {
      g.close();
    }
    for (OrtGraph g : heads) {
      if (g != null) {
        g.close();
      }
    }
  }
}
