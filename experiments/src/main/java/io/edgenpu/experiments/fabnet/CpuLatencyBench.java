package io.edgenpu.experiments.fabnet;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.LongBuffer;
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
  OrtEnvironment env() {
    return env;
  }

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

  /** Serialized graphs that take {@code tokens} INT64 [batch, length], on seeded token ids. */
  Result measure(List<byte[]> graphs, int length, int batch) throws OrtException {
    long[] ids = new long[Math.multiplyExact(length, batch)];
    SplittableRandom rnd = new SplittableRandom(length * 31L + batch);
    for (int i = 0; i < ids.length; i++) {
      ids[i] = 1L + rnd.nextInt(14); // token ids 1..14 (0 is padding)
    }
    try (OnnxTensor in =
        OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {batch, length})) {
      double[][] p = measure(graphs, "tokens", in);
      return new Result(length, batch, p[0], p[1]);
    }
  }

  /**
   * Serialized graphs that take one input {@code name}, side by side: {p50 per graph, p90 per
   * graph}, milliseconds.
   */
  double[][] measure(List<byte[]> graphs, String name, OnnxTensor in) throws OrtException {
    List<OrtSession> sessions = new ArrayList<>();
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(threads);
      o.setInterOpNumThreads(1);
      o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      for (byte[] g : graphs) {
        sessions.add(env.createSession(g, o));
      }
      for (int i = 0; i < warmup; i++) {
        for (OrtSession s : sessions) {
          time(s, name, in);
        }
      }
      double[][] t = new double[sessions.size()][runs];
      for (int i = 0; i < runs; i++) {
        for (int g = 0; g < sessions.size(); g++) {
          t[g][i] = time(sessions.get(g), name, in);
        }
      }
      double[] p50 = new double[t.length];
      double[] p90 = new double[t.length];
      for (int g = 0; g < t.length; g++) {
        p50[g] = percentile(t[g], 0.5);
        p90[g] = percentile(t[g], 0.9);
      }
      return new double[][] {p50, p90};
    } finally {
      for (OrtSession s : sessions) {
        s.close();
      }
    }
  }

  private static double time(OrtSession s, String name, OnnxTensor in) throws OrtException {
    long t0 = System.nanoTime();
    try (OrtSession.Result r = s.run(Map.of(name, in))) {
      return (System.nanoTime() - t0) / 1e6;
    }
  }

  static double percentile(double[] v, double q) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, (int) Math.floor(q * (s.length - 1) + 0.5))];
  }
}
