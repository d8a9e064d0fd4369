package io.edgenpu.service.backend;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.npu.butterfly.FabnetReference;
import io.edgenpu.npu.onnx.LayerForms;
import io.edgenpu.npu.onnx.OnnxModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The plain-Java FABNet reference (radix-2 FFT, {@code ButterflyLinear} built from the twiddles of
 * {@code butterfly-stages.onnx}) agrees, on held-out ListOps inputs, with both shipped graphs run
 * by ONNX Runtime: the accelerator-mirroring one (DFT + elementary butterfly stages) and the served
 * one (four-step FFT; butterflies dense, factored or chosen by timing: all three agree).
 */
class FabnetReferenceAgreementTest {
  private static final Path MODEL = Path.of("..", "models", "repository", "fabnet-listops");

  @Test
  void onnxRuntimeAndJavaReferenceAgreeOnTrainedWeights() throws Exception {
    FabnetReference ref =
        FabnetReference.fromOnnx(OnnxModel.read(MODEL.resolve("1/butterfly-stages.onnx")));
    byte[] tokens = Files.readAllBytes(MODEL.resolve("eval/tokens-u8.bin"));
    int length = ref.length();
    int rows = 16;
    long[] ids = new long[rows * length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = tokens[i] & 0xFF;
    }
    for (String graph : new String[] {"1/butterfly-stages.onnx", "1/model.onnx"}) {
      for (LayerForms.Policy forms : LayerForms.Policy.values()) {
        float[] ort;
        try (OrtGraph g =
            new OrtGraph(OrtEnvironment.getEnvironment(), MODEL.resolve(graph), 1, forms)) {
          ort =
              g.run(Map.of("tokens", Tensor.ofLongs(new long[] {rows, length}, ids)))
                  .get("probabilities")
                  .toFloatArray();
          if (graph.endsWith("model.onnx")) {
            // Four butterfly layers, each set by the policy (AUTO: by timing, either way).
            assertThat(g.layerForms().forms()).hasSize(4);
            if (forms != LayerForms.Policy.AUTO) {
              assertThat(g.layerForms().forms())
                  .allSatisfy(
                      (k, v) -> assertThat(v).isEqualTo(forms == LayerForms.Policy.FACTORED));
            } else {
              assertThat(g.layerForms().millis()).hasSize(4);
            }
          } else {
            assertThat(g.layerForms().forms()).isEmpty();
          }
        }
        assertThat(worstDifference(ref, ids, ort, rows, length))
            .as("Java reference vs ONNX Runtime on " + graph + " with " + forms + " layer forms")
            .isLessThan(1e-4);
      }
    }
    assertThat(ref.blockCount()).isEqualTo(2);
  }

  private static double worstDifference(
      FabnetReference ref, long[] ids, float[] ort, int rows, int length) {
    double worst = 0;
    for (int r = 0; r < rows; r++) {
      long[] seq = new long[length];
      System.arraycopy(ids, r * length, seq, 0, length);
      float[] p = ref.probabilities(seq);
      assertThat(p).hasSize(10);
      for (int c = 0; c < 10; c++) {
        worst = Math.max(worst, Math.abs(p[c] - ort[r * 10 + c]));
      }
    }
    return worst;
  }
}
