package io.edgenpu.service.backend;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.edgenpu.api.tensor.DataType;
import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.npu.onnx.LayerForms;
import io.edgenpu.npu.onnx.proto.OnnxProto;
import io.edgenpu.repository.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ONNX graph loaded into an ONNX Runtime session, with its input and output signatures. {@link
 * #run} is blocking (it computes) and thread-safe (ORT sessions are); call it off event loops.
 * Closing releases the native session.
 */
public final class OrtGraph implements AutoCloseable {
  private static final AtomicInteger OPEN = new AtomicInteger();

  /** Reference size of a variable dimension when the graph is warmed up. */
  private static final long WARMUP_DIM = 32;

  private final OrtEnvironment env;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final OrtSession session;
  private final Path file;
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;
  private static final Logger LOG = LoggerFactory.getLogger(OrtGraph.class);

  private final LayerForms.Choice layerForms;

  /** Loads {@code file}, choosing the forms of any two-form layers by timing (decision 0021). */
  public OrtGraph(OrtEnvironment env, Path file, int intraOpThreads) throws OrtException {
    this(env, file, intraOpThreads, LayerForms.Policy.AUTO);
  }

  /**
   * Loads {@code file}; a graph with two-form layers ({@link LayerForms}) gets its forms set by
   * {@code forms} before ONNX Runtime sees it.
   */
  public OrtGraph(OrtEnvironment env, Path file, int intraOpThreads, LayerForms.Policy forms)
      throws OrtException {
    this(env, file, intraOpThreads, prepare(env, file, intraOpThreads, forms));
  }

  private OrtGraph(OrtEnvironment env, Path file, int intraOpThreads, Prepared prepared)
      throws OrtException {
    this.env = env;
    this.file = file;
    this.layerForms = prepared.choice();
    try (OrtSession.SessionOptions opts = options(intraOpThreads)) {
      byte[] bytes = prepared.bytes();
      this.session =
          bytes == null ? env.createSession(file.toString(), opts) : env.createSession(bytes, opts);
    }
    OPEN.incrementAndGet();
    try {
      this.inputs = signature(session.getInputInfo(), "input");
      this.outputs = signature(session.getOutputInfo(), "output");
    } catch (OrtException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The graph as ONNX Runtime gets it: bytes with the forms set, or null to load the file. */
  private record Prepared(byte @Nullable [] bytes, LayerForms.Choice choice) {}

  private static OrtSession.SessionOptions options(int intraOpThreads) throws OrtException {
    OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
    opts.setIntraOpNumThreads(intraOpThreads);
    opts.setInterOpNumThreads(1);
    opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    return opts;
  }

  private static Prepared prepare(
      OrtEnvironment env, Path file, int intraOpThreads, LayerForms.Policy policy)
      throws OrtException {
    LayerForms.Choice none = new LayerForms.Choice(Map.of(), Map.of());
    OnnxProto.ModelProto model;
    try {
      model = OnnxProto.ModelProto.parseFrom(Files.readAllBytes(file));
    } catch (IOException e) {
      return new Prepared(null, none); // ONNX Runtime reports the file's problem itself
    }
    if (LayerForms.flags(model).isEmpty()) {
      return new Prepared(null, none);
    }
    try {
      LayerForms.Choice choice =
          LayerForms.choose(
              model, policy, bytes -> LayerFormTimer.millis(env, file, bytes, intraOpThreads));
      LOG.info(
          "{}: butterfly layer forms {} (policy {}, ms dense/factored per layer {})",
          file.getFileName(),
          choice.forms(),
          policy,
          LayerFormTimer.describe(choice.millis()));
      return new Prepared(LayerForms.with(model, choice.forms()).toByteArray(), choice);
    } catch (OrtException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(file.getFileName() + ": choosing layer forms failed", e);
    }
  }

  /** Timing: one batch-1 run of {@code bytes}, median of a few after warm-up. */
  static double timeOnce(OrtEnvironment env, Path file, byte[] bytes, int threads, int runs)
      throws OrtException {
    try (OrtGraph g =
        new OrtGraph(
            env, file, threads, new Prepared(bytes, new LayerForms.Choice(Map.of(), Map.of())))) {
      for (int i = 0; i < 3; i++) {
        g.warmUp(1);
      }
      double[] ms = new double[runs];
      for (int i = 0; i < runs; i++) {
        long t0 = System.nanoTime();
        g.warmUp(1);
        ms[i] = (System.nanoTime() - t0) / 1e6;
      }
      Arrays.sort(ms);
      return ms[runs / 2];
    }
  }

  /** The forms chosen for two-form layers (empty for an ordinary graph). */
  public LayerForms.Choice layerForms() {
    return layerForms;
  }

  /** ONNX Runtime sessions open in this process (a leak shows here first). */
  public static int openSessions() {
    return OPEN.get();
  }

  private List<TensorSpec> signature(Map<String, NodeInfo> infos, String what) {
    List<TensorSpec> out = new ArrayList<>();
    for (Map.Entry<String, NodeInfo> e : infos.entrySet()) {
      if (!(e.getValue().getInfo() instanceof TensorInfo ti)) {
        throw new IllegalArgumentException(
            file.getFileName() + ": " + what + " '" + e.getKey() + "' is not a tensor");
      }
      DataType dt =
          OrtTensors.dataType(ti.onnxType)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          file.getFileName()
                              + ": "
                              + what
                              + " '"
                              + e.getKey()
                              + "' has unsupported element type "
                              + ti.onnxType));
      long[] shape = ti.getShape();
      if (shape.length == 0) {
        throw new IllegalArgumentException(
            file.getFileName()
                + ": "
                + what
                + " '"
                + e.getKey()
                + "' is a scalar; batched graphs need a batch dimension");
      }
      long[] perSample = Arrays.copyOfRange(shape, 1, shape.length);
      for (int i = 0; i < perSample.length; i++) {
        if (perSample[i] < 0) {
          perSample[i] = -1;
        }
      }
      out.add(new TensorSpec(e.getKey(), dt, perSample));
    }
    return List.copyOf(out);
  }

  /** Inputs of the graph (per-sample shapes, batch dimension removed). */
  public List<TensorSpec> inputs() {
    return inputs;
  }

  public List<TensorSpec> outputs() {
    return outputs;
  }

  public Path file() {
    return file;
  }

  /** Runs the graph on batched tensors; returns every output. Blocking. */
  public Map<String, Tensor> run(Map<String, Tensor> feeds) throws OrtException {
    Map<String, OnnxTensor> ort = new HashMap<>();
    try {
      OrtTensors.Arena arena = OrtTensors.arena(feeds.values());
      for (Map.Entry<String, Tensor> e : feeds.entrySet()) {
        ort.put(e.getKey(), OrtTensors.toOrt(env, e.getValue(), arena));
      }
      try (OrtSession.Result result = session.run(ort)) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxValue> e : result) {
          out.put(e.getKey(), OrtTensors.fromOrt((OnnxTensor) e.getValue()));
        }
        return out;
      }
    } finally {
      for (OnnxTensor t : ort.values()) {
        t.close();
      }
    }
  }

  /**
   * Runs the graph once on zeros, {@code batch} rows (variable dimensions at a small reference
   * size).
   */
  public void warmUp(int batch) throws OrtException {
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    for (TensorSpec in : inputs) {
      long[] shape = new long[in.shape().length + 1];
      shape[0] = batch;
      for (int i = 0; i < in.shape().length; i++) {
        shape[i + 1] = in.shape()[i] < 0 ? WARMUP_DIM : in.shape()[i];
      }
      feeds.put(in.name(), OrtTensors.zeros(in.dataType(), shape));
    }
    run(feeds);
  }

  /** Row {@code row} of every output of a batched run, each with batch dimension 1. */
  public static Map<String, Tensor> row(Map<String, Tensor> batch, int row) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : batch.entrySet()) {
      out.put(e.getKey(), e.getValue().sliceRows(row, row + 1));
    }
    return out;
  }

  /**
   * Releases the native session (idempotent). The caller guarantees that no {@link #run} is in
   * progress.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    OPEN.decrementAndGet();
    try {
      session.close();
    } catch (OrtException e) {
      // Closing a session only fails if it was already closed.
    }
  }
}
