package io.edgenpu.loadtests;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The limit for the service's ONNX Runtime path: the same model run directly in-process, one
 * session run at a time (as the service's cpu device runs one batch at a time), one intra-op thread
 * (the service's default), at a given batch size. Prints {@code
 * batch,samples_per_s,runs,p50_ms,p99_ms} (latency of one session run, input tensor included).
 * Usage: {@code DirectOrt <model.onnx> <input name> <per-sample shape, e.g. 1x32x32> <batch>
 * <seconds> [intra-op threads]}.
 */
public final class DirectOrt {
  private DirectOrt() {}

  public static void main(String[] args) throws Exception {
    String model = args[0];
    String input = args[1];
    String[] dims = args[2].split("x", -1);
    int batch = Integer.parseInt(args[3]);
    double seconds = Double.parseDouble(args[4]);
    int intraOp = args.length > 5 ? Integer.parseInt(args[5]) : 1;
    long[] shape = new long[dims.length + 1];
    shape[0] = batch;
    int perSample = 1;
    for (int i = 0; i < dims.length; i++) {
      shape[i + 1] = Long.parseLong(dims[i]);
      perSample *= (int) shape[i + 1];
    }
    float[] data = new float[batch * perSample];
    for (int i = 0; i < data.length; i++) {
      data[i] = (i % 97) / 97f;
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(intraOp);
    options.setInterOpNumThreads(1);
    try (OrtSession session = env.createSession(model, options)) {
      // Warm-up, then timed runs. Each run builds its input tensor, as the service does per batch.
      long warmEnd = System.nanoTime() + 2_000_000_000L;
      while (System.nanoTime() < warmEnd) {
        run(env, session, input, data, shape);
      }
      long runs = 0;
      Histogram latencies = new Histogram(3);
      long start = System.nanoTime();
      long end = start + (long) (seconds * 1e9);
      long t = start;
      while (t < end) {
        run(env, session, input, data, shape);
        long now = System.nanoTime();
        latencies.recordValue(now - t);
        t = now;
        runs++;
      }
      double elapsed = (t - start) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "%d,%.1f,%d,%.3f,%.3f%n",
          batch,
          runs * batch / elapsed,
          runs,
          latencies.getValueAtPercentile(50) / 1e6,
          latencies.getValueAtPercentile(99) / 1e6);
    }
  }

  private static void run(
      OrtEnvironment env, OrtSession session, String input, float[] data, long[] shape)
      throws Exception {
    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
        OrtSession.Result r = session.run(Map.of(input, t))) {
      if (r.size() == 0) {
        throw new IllegalStateException("no output");
      }
    }
  }
}
