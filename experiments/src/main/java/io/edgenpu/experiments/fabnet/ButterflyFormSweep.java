package io.edgenpu.experiments.fabnet;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import io.edgenpu.npu.onnx.LayerForms;
import io.edgenpu.npu.onnx.proto.OnnxProto;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code butterfly-forms.csv}: one butterfly layer in its dense (multiplied-out MatMul) and
 * factored (two block-diagonal Einsums) forms on ONNX Runtime, side by side, over widths from our
 * ListOps layers (64 -> 128, 128 -> 64) to FABNet-Base/Large's feed-forward (1024 -> 4096, 4096 ->
 * 1024), at {@link #ROWS} tokens. Where the factored form wins is where the service's load-time
 * choice (decision 0021) will pick it.
 */
final class ButterflyFormSweep {
  /** Tokens per run (one sequence of 256). */
  static final int ROWS = 256;

  /** (n, stacks, d_out) per row of the table. */
  static final List<int[]> SHAPES =
      List.of(
          new int[] {64, 2, 128},
          new int[] {128, 1, 64},
          new int[] {256, 1, 256},
          new int[] {512, 1, 512},
          new int[] {1024, 1, 1024},
          new int[] {1024, 4, 4096},
          new int[] {4096, 1, 1024});

  private ButterflyFormSweep() {}

  static String csv(CpuLatencyBench bench) throws OrtException {
    StringBuilder b =
        new StringBuilder(
            "d_in,d_out,rows,dense_macs_per_token,factored_macs_per_token,dense_p50_ms,"
                + "factored_p50_ms,dense_over_factored,faster\n");
    for (int[] s : SHAPES) {
      ButterflyLayerGraph layer = new ButterflyLayerGraph(s[0], s[1], s[2], ROWS);
      OnnxProto.ModelProto dense = layer.build(s[0] * 7L + s[2]);
      byte[] factored =
          LayerForms.with(dense, Map.of("layer" + LayerForms.SUFFIX, true)).toByteArray();
      float[] x = new float[ROWS * s[0]];
      SplittableRandom rnd = new SplittableRandom(s[0]);
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (rnd.nextDouble() * 2 - 1);
      }
      double[][] p;
      try (OnnxTensor in =
          OnnxTensor.createTensor(bench.env(), FloatBuffer.wrap(x), new long[] {1, ROWS, s[0]})) {
        p = bench.measure(List.of(dense.toByteArray(), factored), "x", in);
      }
      double ratio = p[0][0] / p[0][1];
      System.err.printf(
          "butterfly %d -> %d: dense %.3f ms, factored %.3f ms (x%.2f)%n",
          s[0], s[2], p[0][0], p[0][1], ratio);
      b.append(s[0])
          .append(',')
          .append(s[2])
          .append(',')
          .append(ROWS)
          .append(',')
          .append(layer.denseMacsPerToken())
          .append(',')
          .append(layer.factoredMacsPerToken())
          .append(',')
          .append(FabnetTables.f(p[0][0], 3))
          .append(',')
          .append(FabnetTables.f(p[0][1], 3))
          .append(',')
          .append(FabnetTables.f(ratio, 2))
          .append(',')
          .append(ratio > 1 ? "factored" : "dense")
          .append('\n');
    }
    return b.toString();
  }
}
