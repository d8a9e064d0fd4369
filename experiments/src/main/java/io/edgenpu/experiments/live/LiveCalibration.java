package io.edgenpu.experiments.live;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.edgenpu.repository.ModelConfig;
import io.edgenpu.repository.ModelWorkloads;
import io.edgenpu.scheduler.core.TableLatencyOracle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How much slower than the emulated NPU the host computes each stage: for every model, stage and
 * batch size, the host time of the stage graph plus its exit head on ONNX Runtime (one intra-op
 * thread, as the service runs them) against the stage's modelled time on the profile. The live
 * service must hold the device for at least the host time, or the stage overruns; the time scale is
 * the largest ratio (at the 99th percentile of host times) times a headroom factor, rounded up.
 */
final class LiveCalibration {
  /** Host-time runs per (stage, batch) after {@link #WARMUP} unmeasured ones. */
  static final int RUNS = 60;

  static final int WARMUP = 10;

  /** One row of host-vs-modelled.csv. */
  record Row(String model, int stage, int batch, double hostP99Us, double modelledUs) {
    double ratio() {
      return hostP99Us / modelledUs;
    }
  }

  private LiveCalibration() {}

  static List<Row> measure(List<LiveModel> models, String profile)
      throws IOException, OrtException {
    List<Row> rows = new ArrayList<>();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    for (LiveModel m : models) {
      ModelConfig config = m.model().config();
      Path version = ModelWorkloads.latestVersion(m.dir());
      TableLatencyOracle modelled = m.setup().oracle(profile);
      try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
        o.setIntraOpNumThreads(1);
        o.setInterOpNumThreads(1);
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        for (int b = 1; b <= config.maxBatchSize(); b++) {
          float[] input = new float[b * elements(config)];
          long[] shape = batchShape(config, b);
          for (int s = 0; s < config.stages().size(); s++) {
            ModelConfig.StageConfig st = config.stages().get(s);
            double[] t = new double[RUNS];
            float[] next;
            long[] nextShape;
            try (OrtSession stage =
                    env.createSession(ModelWorkloads.graphFile(version, st.graph()).toString(), o);
                OrtSession exit =
                    st.exitGraph() == null
                        ? null
                        : env.createSession(
                            ModelWorkloads.graphFile(version, st.exitGraph()).toString(), o)) {
              float[][] out = new float[1][];
              long[][] outShape = new long[1][];
              for (int i = 0; i < WARMUP + RUNS; i++) {
                long start = System.nanoTime();
                run(env, stage, exit, input, shape, out, outShape);
                if (i >= WARMUP) {
                  t[i - WARMUP] = (System.nanoTime() - start) / 1e3;
                }
              }
              next = out[0];
              nextShape = outShape[0];
            } catch (OrtException e) {
              throw new IOException("cannot run " + m.name() + " stage " + s + ": " + e, e);
            }
            Arrays.sort(t);
            rows.add(
                new Row(
                    m.name(),
                    s,
                    b,
                    t[(int) Math.ceil(0.99 * RUNS) - 1],
                    modelled.stageNanos(s, b) / 1e3));
            input = next;
            shape = nextShape;
          }
          System.out.printf(Locale.ROOT, "%s: batch %d calibrated%n", m.name(), b);
        }
      }
    }
    return rows;
  }

  /** The stage graph, then its exit head on the stage's output; the stage's output is kept. */
  private static void run(
      OrtEnvironment env,
      OrtSession stage,
      @Nullable OrtSession exit,
      float[] input,
      long[] shape,
      float[][] out,
      long[][] outShape)
      throws OrtException {
    try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
        OrtSession.Result r = stage.run(Map.of(stage.getInputNames().iterator().next(), in))) {
      OnnxTensor features = (OnnxTensor) r.get(0);
      if (exit != null) {
        try (OrtSession.Result e =
            exit.run(Map.of(exit.getInputNames().iterator().next(), features))) {
          e.get(0);
        }
      }
      outShape[0] = features.getInfo().getShape();
      FloatBuffer fb = features.getFloatBuffer();
      float[] copy = new float[fb.remaining()];
      fb.get(copy);
      out[0] = copy;
    }
  }

  private static int elements(ModelConfig config) {
    int n = 1;
    for (long d : config.inputs().get(0).shape()) {
      n *= (int) d;
    }
    return n;
  }

  private static long[] batchShape(ModelConfig config, int b) {
    long[] dims = config.inputs().get(0).shape();
    long[] shape = new long[dims.length + 1];
    shape[0] = b;
    System.arraycopy(dims, 0, shape, 1, dims.length);
    return shape;
  }

  /**
   * Shortest time any stage may hold the device live, milliseconds. In trial runs on the 2-core
   * machine the service's own path around a stage (batch assembly, thread hand-overs, the exit
   * decision) added up to 5.4 ms to ONNX Runtime's time under load (decision 20), so no stage holds
   * less than about twice that.
   */
  static final double HOLD_FLOOR_MS = 10;

  /**
   * The time scale of {@code model}: the smallest that holds every stage for headroom x its p99
   * host time and for at least {@link #HOLD_FLOOR_MS}, rounded up.
   */
  static double timeScale(List<Row> rows, String model, double headroom) {
    double worst = 0;
    double shortestUs = Double.MAX_VALUE;
    for (Row r : rows) {
      if (r.model().equals(model)) {
        worst = Math.max(worst, r.ratio());
        shortestUs = Math.min(shortestUs, r.modelledUs());
      }
    }
    return Math.ceil(Math.max(worst * headroom, HOLD_FLOOR_MS * 1e3 / shortestUs));
  }

  static void write(Path csv, List<Row> rows) throws IOException {
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv))) {
      w.println("model,stage,batch,host_p99_us,modelled_us,ratio");
      for (Row r : rows) {
        w.printf(
            Locale.ROOT,
            "%s,%d,%d,%.1f,%.1f,%.2f%n",
            r.model(),
            r.stage(),
            r.batch(),
            r.hostP99Us(),
            r.modelledUs(),
            r.ratio());
      }
    }
  }
}
