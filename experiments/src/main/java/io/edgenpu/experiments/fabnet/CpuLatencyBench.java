package io.edgenpu.experiments.fabnet;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Several graphs on ONNX Runtime (CPU), side by side: all sessions are created with the same
 * options, warmed up, then run round-robin (A, B, C, A, B, C, ...) on the same seeded token ids, so
 * that drift of the machine hits all equally. Reports the median and 90th percentile of wall time
 * per run, per graph.
 */
final class CpuLatencyBench {
  /** Per graph (in the order given): median and 90th percentile, milliseconds. */
  record Result(int length, int batch, double[] p50Ms, double[] p90Ms) {}

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final int threads;
  private final int warmup;
  private final int runs;

  CpuLatencyBench(int threads, int warmup, int runs) {
    this.threads = threads;
    this.warmup = warmup;
    this.runs = runs;
  }

  Result measure(List<Path> graphs, int length, int batch) throws OrtException {
    long[] ids = new long[Math.multiplyExact(length, batch)];
    SplittableRandom rnd = new SplittableRandom(length * 31L + batch);
    for (int i = 0; i < ids.length; i++) {
      ids[i] = 1L + rnd.nextInt(15);
    }
    List<OrtSession> sessions = new ArrayList<>();
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        OnnxTensor in =
            OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {batch, length})) {
      o.setIntraOpNumThreads(threads);
      o.setInterOpNumThreads(1);
      o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      for (Path g : graphs) {
        sessions.add(env.createSession(g.toString(), o));
      }
      for (int i = 0; i < warmup; i++) {
        for (OrtSession s : sessions) {
          time(s, in);
        }
      }
      double[][] t = new double[sessions.size()][runs];
      for (int i = 0; i < runs; i++) {
        for (int g = 0; g < sessions.size(); g++) {
          t[g][i] = time(sessions.get(g), in);
        }
      }
      double[] p50 = new double[t.length];
      double[] p90 = new double[t.length];
      for (int g = 0; g < t.length; g++) {
        p50[g] = percentile(t[g], 0.5);
        p90[g] = percentile(t[g], 0.9);
      }
      return new Result(length, batch, p50, p90);
    } finally {
      for (OrtSession s : sessions) {
        s.close();
      }
    }
  }

  private static double time(OrtSession s, OnnxTensor in) throws OrtException {
    long t0 = System.nanoTime();
    try (OrtSession.Result r = s.run(Map.of("tokens", in))) {
      return (System.nanoTime() - t0) / 1e6;
    }
  }

  static double percentile(double[] v, double q) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, (int) Math.floor(q * (s.length - 1) + 0.5))];
  }
}
