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
import io.edgenpu.repository.TensorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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

  public OrtGraph(OrtEnvironment env, Path file, int intraOpThreads) throws OrtException {
    this.env = env;
    this.file = file;
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(intraOpThreads);
      opts.setInterOpNumThreads(1);
      opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      this.session = env.createSession(file.toString(), opts);
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
