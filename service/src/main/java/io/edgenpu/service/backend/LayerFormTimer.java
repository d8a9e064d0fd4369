package io.edgenpu.service.backend;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Times candidate graphs for {@link io.edgenpu.npu.onnx.LayerForms#choose}: one batch-1 run on
 * zeros, median of {@link #RUNS} after warm-up, in a session with the serving session's options.
 */
final class LayerFormTimer {
  /** Timed runs per candidate (a ListOps graph runs in about a millisecond). */
  static final int RUNS = 15;

  private LayerFormTimer() {}

  static double millis(OrtEnvironment env, Path file, byte[] model, int threads)
      throws OrtException {
    return OrtGraph.timeOnce(env, file, model, threads, RUNS);
  }

  /** "{blocks.0.up.factored=0.81/2.10, ...}" for the log. */
  static String describe(Map<String, double[]> millis) {
    StringJoiner j = new StringJoiner(", ", "{", "}");
    for (Map.Entry<String, double[]> e : millis.entrySet()) {
      j.add(
          String.format(Locale.ROOT, "%s=%.3f/%.3f", e.getKey(), e.getValue()[0], e.getValue()[1]));
    }
    return j.toString();
  }
}
