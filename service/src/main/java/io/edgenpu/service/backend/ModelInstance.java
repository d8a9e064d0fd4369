package io.edgenpu.service.backend;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.edgenpu.api.tensor.DataType;
import io.edgenpu.api.tensor.Shapes;
import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.npu.workload.Workload;
import io.edgenpu.npu.workload.WorkloadExtractor;
import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.profile.NpuProfiles;
import io.edgenpu.repository.ModelConfig;
import io.edgenpu.repository.ModelKind;
import io.edgenpu.service.nawq.SrEngine;
import io.edgenpu.repository.ModelWorkloads;
import io.edgenpu.repository.TensorSpec;
import io.edgenpu.scheduler.core.StagePlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One loaded model version: its ONNX Runtime graphs (one for a plain model; a stage graph and an optional
 * exit head per stage for an early-exit model; none for a NAWQ-SR model, whose {@link SrEngine} runs the
 * graph in the NPU's integer arithmetic and whose samples are image tiles carrying their own
 * {@link DeviceProgram}), its client-facing signature, its stage plan and its NPU workload. {@link #runStage} computes one stage for a batch (blocking; call it off event loops).
 * Thread-safe for concurrent {@code runStage} calls; {@link #close()} releases the native sessions.
 */
public final class ModelInstance implements AutoCloseable {
  /** Name of the extra output of early-exit models: the index of the exit each sample took. */
  public static final String EXIT_INDEX_OUTPUT = "exit_index";

  private final ModelConfig config;
  private final long version;
  private final String key;
  private final List<OrtGraph> stageGraphs = new ArrayList<>();
  private final List<OrtGraph> exitGraphs = new ArrayList<>();
  private final double[] thresholds;
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;
  private final StagePlan plan;
  private final Path versionDir;
  private Workload workload;
  private final long referenceElements;

  /** Name of a NAWQ-SR model's input: low-resolution 8-bit luma [N, 1, H, W]. */
  public static final String NAWQ_INPUT = "image";
  /** Name of a NAWQ-SR model's output: upscaled 8-bit luma. */
  public static final String NAWQ_OUTPUT = "image_sr";

  private final SrEngine srEngine;

  public ModelInstance(OrtEnvironment env, ModelConfig config, long version, Path versionDir, int intraOpThreads)
      throws IOException, OrtException {
    this(env, config, version, versionDir, intraOpThreads, null);
  }

  /**
   * @param npu the NPU that times a NAWQ-SR model's configurations (null: the default profile); unused by
   *     other kinds
   */
  public ModelInstance(OrtEnvironment env, ModelConfig config, long version, Path versionDir, int intraOpThreads,
      NpuProfile npu) throws IOException, OrtException {
    this.config = config;
    this.version = version;
    this.key = config.name() + ":" + version;
    SrEngine engine = null;
    try {
      if (config.kind() == ModelKind.NAWQ_SR) {
        engine = new SrEngine(graphFile(versionDir, config.graph()), config.directory(),
            npu != null ? npu : NpuProfiles.resolve(NpuProfiles.DEFAULT));
        stageGraphs.add(null);
        exitGraphs.add(null);
        this.thresholds = new double[] {1};
        List<TensorSpec> io = List.of(new TensorSpec(NAWQ_INPUT, DataType.UINT8, new long[] {1, -1, -1}));
        this.inputs = resolve("input", config.inputs(), io);
        this.outputs = resolve("output", config.outputs(), List.of(new TensorSpec(NAWQ_OUTPUT, DataType.UINT8, new long[] {1, -1, -1})));
        this.plan = StagePlan.single();
      } else if (!config.isEarlyExit()) {
        Path file = graphFile(versionDir, config.graph());
        OrtGraph g = new OrtGraph(env, file, intraOpThreads);
        stageGraphs.add(g);
        exitGraphs.add(null);
        this.thresholds = new double[] {1};
        this.inputs = resolve("input", config.inputs(), g.inputs());
        this.outputs = resolve("output", config.outputs(), g.outputs());
        this.plan = StagePlan.single();
      } else {
        int n = config.stages().size();
        boolean[] exitAfter = new boolean[n];
        this.thresholds = new double[n];
        TensorSpec previousOut = null;
        List<TensorSpec> headOutputs = null;
        for (int s = 0; s < n; s++) {
          ModelConfig.StageConfig sc = config.stages().get(s);
          Path stageFile = graphFile(versionDir, sc.graph());
          OrtGraph g = new OrtGraph(env, stageFile, intraOpThreads);
          stageGraphs.add(g);
          requireSingle(g, sc.graph());
          if (previousOut != null && !compatible(previousOut, g.inputs().get(0))) {
            throw new IllegalArgumentException(sc.graph() + " takes " + g.inputs().get(0) + " but the previous stage gives " + previousOut);
          }
          previousOut = g.outputs().get(0);
          if (sc.exitGraph() != null) {
            Path headFile = graphFile(versionDir, sc.exitGraph());
            OrtGraph h = new OrtGraph(env, headFile, intraOpThreads);
            exitGraphs.add(h);
            if (h.inputs().size() != 1 || !compatible(previousOut, h.inputs().get(0))) {
              throw new IllegalArgumentException(sc.exitGraph() + " must take the output of " + sc.graph() + " (" + previousOut + ")");
            }
            if (headOutputs == null) {
              headOutputs = h.outputs();
            } else if (!headOutputs.equals(h.outputs())) {
              throw new IllegalArgumentException("exit heads must all have the same outputs: " + sc.exitGraph() + " has " + h.outputs() + ", expected " + headOutputs);
            }
            if (h.outputs().get(0).dataType() != DataType.FP32) {
              throw new IllegalArgumentException(sc.exitGraph() + ": the first output must be FP32 class probabilities");
            }
            exitAfter[s] = true;
          } else {
            exitGraphs.add(null);
          }
          thresholds[s] = sc.threshold();
        }
        this.plan = new StagePlan(exitAfter);
        this.inputs = resolve("input", config.inputs(), stageGraphs.get(0).inputs());
        List<TensorSpec> outs = new ArrayList<>(headOutputs);
        outs.add(new TensorSpec(EXIT_INDEX_OUTPUT, DataType.INT32, new long[] {1}));
        this.outputs = resolve("output", config.outputs(), outs);
      }
    } catch (IOException | OrtException | RuntimeException e) {
      close();
      throw e;
    }
    this.srEngine = engine;
    this.versionDir = versionDir;
    long[] ref = inputs.get(0).shape();
    long elems = 1;
    boolean variable = false;
    for (long d : ref) {
      variable |= d < 0;
      elems *= d < 0 ? WorkloadExtractor.DEFAULT_REFERENCE_DIM : d;
    }
    this.referenceElements = variable ? elems : -1;
  }

  /**
   * For models with variable-size inputs (their NPU workload is extracted at a reference size), the ratio of
   * the batch's mean per-sample input size to that reference; 1 for fixed-size models. The emulated device
   * scales the modelled time by it (layer costs grow with the number of pixels).
   */
  public double workScale(List<SampleState> samples) {
    if (referenceElements < 0 || samples.isEmpty()) {
      return 1.0;
    }
    String first = inputs.get(0).name();
    double total = 0;
    for (SampleState s : samples) {
      Tensor t = s.inputs().get(first);
      total += t == null ? referenceElements : t.elementCount();
    }
    return total / samples.size() / referenceElements;
  }

  private static void requireSingle(OrtGraph g, String name) {
    if (g.inputs().size() != 1 || g.outputs().size() != 1) {
      throw new IllegalArgumentException(name + ": a stage graph must have exactly one input and one output");
    }
  }

  private static boolean compatible(TensorSpec a, TensorSpec b) {
    return a.dataType() == b.dataType() && (Shapes.matches(b.shape(), a.shape()) || Shapes.matches(a.shape(), b.shape()));
  }

  private static Path graphFile(Path versionDir, String relative) throws IOException {
    return ModelWorkloads.graphFile(versionDir, relative);
  }

  /** Declared tensors must match the graph's (by name, datatype and shape); undeclared ones come from the graph. */
  private List<TensorSpec> resolve(String what, List<TensorSpec> declared, List<TensorSpec> actual) {
    if (declared.isEmpty()) {
      return actual;
    }
    if (declared.size() != actual.size()) {
      throw new IllegalArgumentException("config declares " + declared.size() + " " + what + "s but the graph has " + actual.size() + ": " + actual);
    }
    for (TensorSpec d : declared) {
      TensorSpec a = actual.stream().filter(t -> t.name().equals(d.name())).findFirst().orElseThrow(() ->
          new IllegalArgumentException("config declares " + what + " '" + d.name() + "' but the graph has " + actual));
      if (a.dataType() != d.dataType() || !(Shapes.matches(a.shape(), d.shape()) || Shapes.matches(d.shape(), a.shape()))) {
        throw new IllegalArgumentException("config declares " + what + " " + d + " but the graph has " + a);
      }
    }
    return declared;
  }

  /** The integer-arithmetic engine of a NAWQ-SR model; null for other kinds. */
  public SrEngine srEngine() {
    return srEngine;
  }

  public ModelConfig config() {
    return config;
  }

  public long version() {
    return version;
  }

  /** Scheduler lane key: {@code name:version}. */
  public String key() {
    return key;
  }

  public List<TensorSpec> inputs() {
    return inputs;
  }

  public List<TensorSpec> outputs() {
    return outputs;
  }

  public StagePlan plan() {
    return plan;
  }

  /**
   * Layers per stage (backbone + exit head) for the NPU cost model, extracted from the graphs on first use
   * (models served on the CPU device never need it).
   *
   * @throws IllegalArgumentException when the graphs use operators whose shapes the emulator cannot infer
   */
  public synchronized Workload workload() {
    if (workload == null) {
      try {
        workload = ModelWorkloads.of(config, versionDir);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read the graphs of " + key + ": " + e.getMessage(), e);
      }
    }
    return workload;
  }

  /** The model's own confidence threshold at a stage's exit. */
  public double threshold(int stage) {
    return thresholds[stage];
  }

  /**
   * Computes stage {@code stage} for a batch of samples: reads each state's inputs (stage 0) or activation,
   * writes activations or, for samples that exit here, outputs. Returns per sample whether it exited.
   * Samples that already have outputs (masked by an EE-unaware policy) ride along unchanged.
   */
  public boolean[] runStage(int stage, List<SampleState> samples) throws OrtException {
    int n = samples.size();
    boolean[] exited = new boolean[n];
    if (srEngine != null) {
      for (int i = 0; i < n; i++) {
        samples.get(i).setOutputs(samples.get(i).program().run(), -1);
        exited[i] = true;
      }
      return exited;
    }
    OrtGraph g = stageGraphs.get(stage);
    if (!config.isEarlyExit()) {
      // Samples with variable-size inputs (e.g. images of different sizes) run in one group per shape.
      for (List<Integer> group : groupByInputShape(samples)) {
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (TensorSpec in : g.inputs()) {
          List<Tensor> parts = new ArrayList<>(group.size());
          for (int i : group) {
            parts.add(samples.get(i).inputs().get(in.name()));
          }
          feeds.put(in.name(), Tensor.concatRows(parts));
        }
        Map<String, Tensor> out = g.run(feeds);
        for (int k = 0; k < group.size(); k++) {
          samples.get(group.get(k)).setOutputs(sliceAll(out, k), -1);
          exited[group.get(k)] = true;
        }
      }
      return exited;
    }
    List<Tensor> parts = new ArrayList<>(n);
    for (SampleState s : samples) {
      parts.add(stage == 0 ? s.inputs().values().iterator().next() : s.activation());
    }
    Tensor activation = g.run(Map.of(g.inputs().get(0).name(), Tensor.concatRows(parts))).values().iterator().next();
    OrtGraph head = exitGraphs.get(stage);
    Map<String, Tensor> headOut = head == null ? null
        : head.run(Map.of(head.inputs().get(0).name(), activation));
    boolean last = stage == plan.lastStage();
    float[] probs = headOut == null ? null : headOut.values().iterator().next().toFloatArray();
    int classes = headOut == null ? 0 : (int) Shapes.rowElements(headOut.values().iterator().next().shape());
    for (int i = 0; i < n; i++) {
      SampleState s = samples.get(i);
      if (s.hasOutputs()) {
        continue;
      }
      boolean exits = last;
      if (!exits && headOut != null) {
        double threshold = Double.isNaN(s.exitThreshold()) ? thresholds[stage] : s.exitThreshold();
        exits = maxInRow(probs, i, classes) >= threshold;
      }
      if (exits) {
        Map<String, Tensor> o = sliceAll(headOut, i);
        o.put(EXIT_INDEX_OUTPUT, Tensor.ofInts(new long[] {1, 1}, new int[] {plan.exitIndexOf(stage)}));
        s.setOutputs(o, plan.exitIndexOf(stage));
        exited[i] = true;
      } else {
        s.setActivation(activation.sliceRows(i, i + 1));
      }
    }
    return exited;
  }

  private static List<List<Integer>> groupByInputShape(List<SampleState> samples) {
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < samples.size(); i++) {
      StringBuilder key = new StringBuilder();
      for (Map.Entry<String, Tensor> e : new java.util.TreeMap<>(samples.get(i).inputs()).entrySet()) {
        key.append(e.getKey()).append(java.util.Arrays.toString(e.getValue().shape()));
      }
      groups.computeIfAbsent(key.toString(), k -> new ArrayList<>()).add(i);
    }
    return new ArrayList<>(groups.values());
  }

  private static float maxInRow(float[] values, int row, int width) {
    float m = Float.NEGATIVE_INFINITY;
    for (int j = 0; j < width; j++) {
      m = Math.max(m, values[row * width + j]);
    }
    return m;
  }

  private static Map<String, Tensor> sliceAll(Map<String, Tensor> batch, int row) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : batch.entrySet()) {
      out.put(e.getKey(), e.getValue().sliceRows(row, row + 1));
    }
    return out;
  }

  @Override
  public void close() {
    for (OrtGraph g : stageGraphs) {
      if (g != null) {
        g.close();
      }
    }
    for (OrtGraph g : exitGraphs) {
      if (g != null) {
        g.close();
      }
    }
  }
}
