package io.edgenpu.npu.quant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The integer convolution against a float convolution of the same quantised operands (dequantised
 * inputs and weights, real bias): the integer result is within one output step (1 LSB) everywhere,
 * on random tensors at A8W8 and A16W8, with padding, stride and a fused ReLU.
 */
class QuantConv2dTest {
  @ParameterizedTest
  @ValueSource(ints = {8, 16})
  void matchesFloatWithinOneOutputStep(int bits) {
    Random r = new Random(bits);
    int inC = 6;
    int outC = 5;
    int k = 3;
    int h = 11;
    int w = 9;
    float[] weights = new float[outC * inC * k * k];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (float) (r.nextGaussian() * 0.2);
    }
    float[] bias = new float[outC];
    for (int c = 0; c < outC; c++) {
      bias[c] = (float) (r.nextGaussian() * 0.1);
    }
    for (boolean relu : new boolean[] {false, true}) {
      for (int stride : new int[] {1, 2}) {
        ActQuant in = ActQuant.calibrate(bits, -0.8, 1.6);
        ActQuant out = ActQuant.calibrate(bits, relu ? 0 : -3, 3);
        QuantConv2d conv = new QuantConv2d(inC, outC, k, stride, 1, relu, weights, bias, in, out);
        int[] codes = new int[inC * h * w];
        for (int i = 0; i < codes.length; i++) {
          codes[i] = in.quantize(-0.8 + 2.4 * r.nextDouble());
        }
        int[] result = conv.run(codes, h, w);
        int oh = conv.outputSize(h);
        int ow = conv.outputSize(w);
        int perOut = inC * k * k;
        for (int oc = 0; oc < outC; oc++) {
          for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
              double acc = bias[oc];
              for (int ic = 0; ic < inC; ic++) {
                for (int ky = 0; ky < k; ky++) {
                  for (int kx = 0; kx < k; kx++) {
                    int iy = y * stride + ky - 1;
                    int ix = x * stride + kx - 1;
                    double v =
                        iy < 0 || iy >= h || ix < 0 || ix >= w
                            ? 0
                            : in.dequantize(codes[(ic * h + iy) * w + ix]);
                    int wi = oc * perOut + (ic * k + ky) * k + kx;
                    acc += v * conv.weights().dequantize(oc, wi);
                  }
                }
              }
              double expected =
                  Math.min(
                      Math.max(relu ? Math.max(acc, 0) : acc, out.dequantize(0)),
                      out.dequantize(out.qmax()));
              double got = out.dequantize(result[(oc * oh + y) * ow + x]);
              assertThat(Math.abs(got - expected))
                  .as("A%dW8 relu=%s stride=%d at (%d,%d,%d)", bits, relu, stride, oc, y, x)
                  .isLessThanOrEqualTo(out.scale() * 1.0 + 1e-12);
            }
          }
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {8, 16})
  void outputsSaturateAtTheCodeRange(int bits) {
    ActQuant in = ActQuant.calibrate(bits, 0, 1);
    ActQuant out = ActQuant.calibrate(bits, -0.1, 0.1);
    QuantConv2d conv = new QuantConv2d(1, 2, 1, 1, 0, false, new float[] {5f, -5f}, null, in, out);
    int[] result = conv.run(new int[] {in.qmax()}, 1, 1);
    assertThat(result[0]).isEqualTo(out.qmax());
    assertThat(result[1]).isZero();
  }
}
