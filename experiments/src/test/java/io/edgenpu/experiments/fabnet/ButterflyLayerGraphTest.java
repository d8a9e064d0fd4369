package io.edgenpu.experiments.fabnet;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.edgenpu.npu.onnx.LayerForms;
import io.edgenpu.npu.onnx.proto.OnnxProto;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Both forms of a generated butterfly layer compute the same function on ONNX Runtime. */
class ButterflyLayerGraphTest {
  private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

  @ParameterizedTest
  @CsvSource({"64,2,128", "128,1,64", "32,1,32", "256,3,700"})
  void denseAndFactoredFormsAgree(int n, int stacks, int dOut) throws Exception {
    ButterflyLayerGraph layer = new ButterflyLayerGraph(n, stacks, dOut, 5);
    OnnxProto.ModelProto dense = layer.build(42);
    OnnxProto.ModelProto factored = LayerForms.with(dense, Map.of("layer.factored", true));
    float[] x = new float[5 * n];
    SplittableRandom rnd = new SplittableRandom(1);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rnd.nextDouble() - 0.5);
    }
    float[] a = run(dense, x, n);
    float[] b = run(factored, x, n);
    assertThat(a).hasSize(5 * dOut);
    double worst = 0;
    double scale = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
      scale = Math.max(scale, Math.abs(a[i]));
    }
    assertThat(scale).isGreaterThan(0.1);
    assertThat(worst).isLessThan(1e-4 * scale);
    assertThat(layer.factoredMacsPerToken()).isLessThan(layer.denseMacsPerToken() * stacks);
  }

  private static float[] run(OnnxProto.ModelProto m, float[] x, int n) throws Exception {
    try (OrtSession s = ENV.createSession(m.toByteArray(), new OrtSession.SessionOptions());
        OnnxTensor in = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(x), new long[] {1, 5, n});
        OrtSession.Result r = s.run(Map.of("x", in))) {
      float[][][] y = (float[][][]) r.get(0).getValue();
      float[] flat = new float[y[0].length * y[0][0].length];
      for (int i = 0; i < y[0].length; i++) {
        System.arraycopy(y[0][i], 0, flat, i * y[0][i].length, y[0][i].length);
      }
      return flat;
    }
  }
}
