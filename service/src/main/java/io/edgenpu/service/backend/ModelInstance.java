package io.edgenpu.service.backend;

import io.edgenpu.api.tensor.Shapes;
import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.npu.workload.Workload;
import io.edgenpu.npu.workload.WorkloadExtractor;
import io.edgenpu.repository.ModelConfig;
import io.edgenpu.repository.ModelWorkloads;
import io.edgenpu.repository.TensorSpec;
import io.edgenpu.scheduler.core.StagePlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * One loaded model version, of one of the kinds the server serves: {@link PlainModel} (one ONNX
 * graph), {@link EarlyExitModel} (stage graphs with exit heads) or {@link NawqSrModel} (an SR graph
 * in the NPU's integer arithmetic, whose samples are image tiles). Adding a kind is adding a
 * subclass; the compiler checks every {@code switch} over them.
 *
 * <p>What every kind offers: its client-facing signature, its {@link StagePlan}, its NPU workload,
 * how a validated request becomes scheduler samples and the samples' outputs an answer ({@link
 * #prepare}), how one stage of a batch is computed ({@link #runStage}, blocking) and how it is
 * warmed up before it serves.
 *
 * <p>Thread-safe. Native resources live until {@link #close()} has been called <em>and</em> no
 * {@link #runStage} is still computing: a stage that a time limit or a cancellation abandoned keeps
 * the sessions it uses open until it returns (ONNX Runtime does not guard a session's close against
 * a run in progress).
 */
public abstract sealed class ModelInstance implements AutoCloseable
    permits PlainModel, EarlyExitModel, NawqSrModel {
  private static final AtomicInteger GENERATIONS = new AtomicInteger();

  private final ModelConfig config;
  private final long version;
  private final String key;
  private final Path versionDir;
  private final AtomicInteger users =
      new AtomicInteger(1); // 1 = the owner's reference, dropped by close()
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile @Nullable Workload workload;

  protected ModelInstance(ModelConfig config, long version, Path versionDir) {
    this.config = config;
    this.version = version;
    this.versionDir = versionDir;
    this.key = config.name() + ":" + version + "#" + GENERATIONS.incrementAndGet();
  }

  public final ModelConfig config() {
    return config;
  }

  public final long version() {
    return version;
  }

  /**
   * The scheduler lane and device key of this loaded instance: {@code name:version#generation}.
   * Unique per load, so a reloaded version runs beside the instance it replaces until that one has
   * drained.
   */
  public final String key() {
    return key;
  }

  /** {@code name:version}: what statistics and meters are kept under (they survive reloads). */
  public final String versionKey() {
    return config.name() + ":" + version;
  }

  /** The {@link #versionKey()} part of a {@link #key()}. */
  public static String versionKeyOf(String key) {
    int hash = key.lastIndexOf('#');
    return hash < 0 ? key : key.substring(0, hash);
  }

  /** The version folder the graphs were read from. */
  protected final Path versionDir() {
    return versionDir;
  }

  /** The inputs a request must carry (per-sample shapes, batch dimension excluded). */
  public abstract List<TensorSpec> inputs();

  /** The outputs an answer can carry. */
  public abstract List<TensorSpec> outputs();

  public abstract StagePlan plan();

  /**
   * Turns a validated request (inputs by name, each with {@code batch} rows) into scheduler samples
   * and a way to assemble the answer.
   *
   * @throws BadInputException when the inputs are valid for the signature but not for this kind of
   *     model
   */
  public abstract PreparedRequest prepare(
      Map<String, Tensor> inputs, int batch, Map<String, Object> parameters, double exitThreshold);

  /**
   * Computes stage {@code stage} for a batch of samples (blocking; call it off event loops): reads
   * each state's inputs or activation, writes activations or, for samples that exit here, outputs.
   * Returns per sample whether it exited. Samples that already have outputs (masked by an
   * EE-unaware policy) ride along.
   *
   * @throws IllegalStateException when the instance is closed
   */
  public final boolean[] runStage(int stage, List<SampleState> samples) throws Exception {
    try (Lease lease = lease()) {
      return compute(stage, samples);
    }
  }

  /** A hold on the instance's native resources: they stay open until every lease is closed. */
  public interface Lease extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Holds the native resources open until the lease is closed, even if {@link #close()} is called
   * meanwhile.
   *
   * @throws IllegalStateException when the instance is closed already
   */
  public final Lease lease() {
    if (!retain()) {
      throw new IllegalStateException("model " + key + " is unloaded");
    }
    AtomicBoolean open = new AtomicBoolean(true);
    return () -> {
      if (open.compareAndSet(true, false)) {
        release();
      }
    };
  }

  /** {@link #runStage} of the kind, with the native resources held. */
  protected abstract boolean[] compute(int stage, List<SampleState> samples) throws Exception;

  /**
   * Warms the model up as its configuration says (Triton's model warm-up): every stage runs once at
   * each warm-up batch size (by default every size from 1 to max-batch-size), on the configured
   * sample repeated to the batch size, or on neutral data. So the first request does not pay for
   * ONNX Runtime's first-run allocations and the JIT. Blocking; called once before the version
   * serves.
   *
   * @param sample the configured sample's inputs by name (one row each), or null for neutral data
   * @return the batch sizes run
   */
  public final List<Integer> warmUp(@Nullable Map<String, Tensor> sample) throws Exception {
    ModelConfig.Warmup w = config.warmup();
    if (!w.enabled()) {
      return List.of();
    }
    List<Integer> sizes = new ArrayList<>(w.batchSizes());
    if (sizes.isEmpty()) {
      for (int b = 1; b <= config.maxBatchSize(); b++) {
        sizes.add(b);
      }
    }
    try (Lease lease = lease()) {
      for (int b : sizes) {
        warmUp(b, sample == null ? null : repeatRows(sample, b));
      }
    }
    return sizes;
  }

  private static Map<String, Tensor> repeatRows(Map<String, Tensor> sample, int batch) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : sample.entrySet()) {
      Tensor row = e.getValue().sliceRows(0, 1);
      out.put(e.getKey(), Tensor.concatRows(Collections.nCopies(batch, row)));
    }
    return out;
  }

  /**
   * Computes every stage of the model once for a batch of {@code batch} samples.
   *
   * @param inputs the model's inputs with {@code batch} rows, or null for neutral data
   */
  protected abstract void warmUp(int batch, @Nullable Map<String, Tensor> inputs) throws Exception;

  /**
   * Layers per stage (backbone + exit head) for the NPU cost model, extracted from the graphs on
   * first use (models served on the CPU device never need it).
   *
   * @throws IllegalArgumentException when the graphs use operators whose shapes the emulator cannot
   *     infer
   */
  public final Workload workload() {
    Workload w = workload;
    if (w == null) {
      synchronized (this) {
        w = workload;
        if (w == null) {
          try {
            w = ModelWorkloads.of(config, versionDir);
          } catch (IOException e) {
            throw new IllegalArgumentException(
                "cannot read the graphs of " + key + ": " + e.getMessage(), e);
          }
          workload = w;
        }
      }
    }
    return w;
  }

  /**
   * For models with variable-size inputs (their NPU workload is extracted at a reference size), the
   * ratio of the batch's mean per-sample input size to that reference; 1 for fixed-size models. The
   * emulated device scales the modelled time by it (layer costs grow with the number of pixels).
   */
  public final double workScale(List<SampleState> samples) {
    if (samples.isEmpty()) {
      return 1.0;
    }
    TensorSpec first = inputs().get(0);
    long reference = 1;
    boolean variable = false;
    for (long d : first.shape()) {
      variable |= d < 0;
      reference *= d < 0 ? WorkloadExtractor.DEFAULT_REFERENCE_DIM : d;
    }
    if (!variable) {
      return 1.0;
    }
    double total = 0;
    for (SampleState s : samples) {
      Tensor t = s.inputs().get(first.name());
      total += t == null ? reference : t.elementCount();
    }
    return total / samples.size() / reference;
  }

  /**
   * Releases the owner's reference; the native resources go once no stage is computing. Idempotent.
   */
  @Override
  public final void close() {
    if (closed.compareAndSet(false, true)) {
      release();
    }
  }

  /** Whether {@link #close()} has been called. */
  public final boolean isClosed() {
    return closed.get();
  }

  private boolean retain() {
    if (closed.get()) {
      return false; // no new work on a closed instance; leases taken before go on
    }
    for (; ; ) {
      int n = users.get();
      if (n == 0) {
        return false;
      }
      if (users.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  private void release() {
    if (users.decrementAndGet() == 0) {
      freeNative();
    }
  }

  /** Frees native resources; called exactly once, when closed and no stage computes. */
  protected abstract void freeNative();

  /**
   * Declared tensors must match the graph's (by name, datatype and shape); undeclared ones come
   * from the graph.
   */
  static List<TensorSpec> resolve(String what, List<TensorSpec> declared, List<TensorSpec> actual) {
    if (declared.isEmpty()) {
      return actual;
    }
    if (declared.size() != actual.size()) {
      throw new IllegalArgumentException(
          "config declares "
              + declared.size()
              + " "
              + what
              + "s but the graph has "
              + actual.size()
              + ": "
              + actual);
    }
    for (TensorSpec d : declared) {
      TensorSpec a =
          actual.stream()
              .filter(t -> t.name().equals(d.name()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "config declares "
                              + what
                              + " '"
                              + d.name()
                              + "' but the graph has "
                              + actual));
      if (a.dataType() != d.dataType()
          || !(Shapes.matches(a.shape(), d.shape()) || Shapes.matches(d.shape(), a.shape()))) {
        throw new IllegalArgumentException(
            "config declares " + what + " " + d + " but the graph has " + a);
      }
    }
    return declared;
  }

  /** Resolves a graph file inside a version folder. */
  static Path graphFile(Path versionDir, String relative) throws IOException {
    return ModelWorkloads.graphFile(versionDir, relative);
  }
}
