package io.edgenpu.service.backend;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.npu.butterfly.FabnetReference;
import io.edgenpu.npu.onnx.OnnxModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shipped FABNet ONNX graph (DFT + elementary butterfly stages, run by ONNX Runtime) and the plain-Java
 * reference (radix-2 FFT, {@code ButterflyLinear}) agree on the trained weights, on held-out ListOps inputs.
 */
class FabnetReferenceAgreementTest {
  private static final Path MODEL = Path.of("..", "models", "repository", "fabnet-listops");

  @Test
  void onnxRuntimeAndJavaReferenceAgreeOnTrainedWeights() throws Exception {
    FabnetReference ref = FabnetReference.fromOnnx(OnnxModel.read(MODEL.resolve("1/model.onnx")));
    byte[] tokens = Files.readAllBytes(MODEL.resolve("eval/tokens-u8.bin"));
    int length = ref.length();
    int rows = 16;
    long[] ids = new long[rows * length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = tokens[i] & 0xFF;
    }
    float[] ort;
    try (OrtGraph g = new OrtGraph(OrtEnvironment.getEnvironment(), MODEL.resolve("1/model.onnx"), 1)) {
      ort = g.run(Map.of("tokens", Tensor.ofLongs(new long[] {rows, length}, ids))).get("probabilities").toFloatArray();
    }
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
    assertThat(ref.blockCount()).isEqualTo(2);
    assertThat(worst).as("largest probability difference, Java reference vs ONNX Runtime").isLessThan(1e-4);
  }
}
