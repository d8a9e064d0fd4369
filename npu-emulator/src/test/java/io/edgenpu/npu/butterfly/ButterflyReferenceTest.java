package io.edgenpu.npu.butterfly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java reference of the butterfly layer, the FFT stage loop and the FLOP/parameter formulas
 * (docs/papers/fabnet.md).
 */
class ButterflyReferenceTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"64, 128", "128, 64", "128, 256", "100, 300", "256, 128", "8, 8"})
  void forwardEqualsTheDenseMatrix(int in, int out) {
    ButterflyLinear layer = ButterflyLinear.random(in, out, in * 31L + out);
    float[][] w = layer.toDense();
    SplittableRandom rnd = new SplittableRandom(5);
    float[] x = new float[in];
    for (int i = 0; i < in; i++) {
      x[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    float[] y = layer.forward(x);
    float[] biasOnly = layer.forward(new float[in]);
    for (int r = 0; r < out; r++) {
      double dense = biasOnly[r];
      for (int c = 0; c < in; c++) {
        dense += (double) w[r][c] * x[c];
      }
      assertThat((double) y[r]).isCloseTo(dense, within(1e-5 * Math.max(1, Math.abs(dense))));
    }
  }

  @Test
  void identityTwiddlesGiveTheIdentity() {
    ButterflyLinear id = ButterflyLinear.identity(64, 64);
    float[] x = new float[64];
    for (int i = 0; i < 64; i++) {
      x[i] = i * 0.5f - 7;
    }
    assertThat(id.forward(x)).containsExactly(x);
  }

  @Test
  void parameterCountsMatchTheFormula() {
    // Bfly(128 -> 256): two stacks of n = 128: 2 * 2 * 128 * 7 = 3 584 twiddles + 256 biases.
    assertThat(ButterflyLinear.random(128, 256, 1).parameterCount()).isEqualTo(3584 + 256);
    assertThat(ButterflyLinear.random(256, 128, 1).parameterCount()).isEqualTo(2L * 256 * 8 + 128);
  }

  @ParameterizedTest(name = "N = {0}")
  @ValueSource(ints = {1, 2, 8, 64, 512, 4096})
  void fftStageLoopEqualsANaiveDft(int n) {
    SplittableRandom rnd = new SplittableRandom(n);
    double[] re = new double[n];
    double[] im = new double[n];
    for (int i = 0; i < n; i++) {
      re[i] = rnd.nextDouble() * 2 - 1;
      im[i] = rnd.nextDouble() * 2 - 1;
    }
    double[] r0 = re.clone();
    double[] i0 = im.clone();
    new Fft(n).transform(re, im);
    for (int k = 0; k < n; k += Math.max(1, n / 64)) {
      double sr = 0;
      double si = 0;
      for (int t = 0; t < n; t++) {
        double a = -2 * Math.PI * ((long) k * t % n) / n;
        sr += r0[t] * Math.cos(a) - i0[t] * Math.sin(a);
        si += r0[t] * Math.sin(a) + i0[t] * Math.cos(a);
      }
      assertThat(re[k]).isCloseTo(sr, within(1e-4));
      assertThat(im[k]).isCloseTo(si, within(1e-4));
    }
  }

  @Test
  void realFft2EqualsANaive2dDft() {
    int rows = 8;
    int cols = 4;
    float[] x = new float[rows * cols];
    SplittableRandom rnd = new SplittableRandom(9);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    float[] y = Fft.realFft2(x, rows, cols);
    for (int u = 0; u < rows; u++) {
      for (int v = 0; v < cols; v++) {
        double s = 0;
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < cols; c++) {
            s +=
                x[r * cols + c]
                    * Math.cos(-2 * Math.PI * ((double) u * r / rows + (double) v * c / cols));
          }
        }
        assertThat((double) y[u * cols + v]).isCloseTo(s, within(1e-4));
      }
    }
  }

  @ParameterizedTest(name = "{0}: {1}x FLOPs, {2}x parameters")
  @CsvSource({
    "ListOps, 23.4, 5.6",
    "Text, 57.3, 3.4",
    "Retrieval, 9.9, 2.1",
    "Image, 61.0, 22.3",
    "Pathfinder, 10.2, 3.7"
  })
  void flopAndParameterReductionsReproduceTheSpecTable(String task, double flops, double params) {
    FabnetFormulas.Task t =
        FabnetFormulas.LRA.stream().filter(x -> x.name().equals(task)).findFirst().orElseThrow();
    assertThat(FabnetFormulas.flopReduction(t)).isCloseTo(flops, within(0.05));
    assertThat(FabnetFormulas.paramReduction(t)).isCloseTo(params, within(0.05));
  }
}
