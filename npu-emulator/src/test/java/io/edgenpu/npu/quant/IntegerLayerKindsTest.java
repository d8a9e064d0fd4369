package io.edgenpu.npu.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.npu.quant.SrGraph.AddOp;
import io.edgenpu.npu.quant.SrGraph.ConcatOp;
import io.edgenpu.npu.quant.SrGraph.ConvOp;
import io.edgenpu.npu.quant.SrGraph.Image;
import io.edgenpu.npu.quant.SrGraph.UpsampleOp;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The integer path of each layer kind the converted RGB networks use (5x5 and 1x1 convolutions,
 * channel concatenation, residual add, nearest upsampling, three-channel images), against the float
 * path on the same graph with the same 8-bit weights: every output element within one step of the
 * output's quantisation, at both wordlengths. The inputs are 8-bit pixels (exact codes); an exact
 * identity convolution (1x1, weight 1.0, no bias: every code representable) gives the two-input
 * operations a second, equally exact operand, so each graph's error is its last operation's own
 * arithmetic.
 */
class IntegerLayerKindsTest {
  private static final Random RANDOM = new Random(17);

  private static Image rgb(int h, int w) {
    float[] d = new float[3 * h * w];
    for (int i = 0; i < d.length; i++) {
      d[i] = RANDOM.nextInt(256) / 255f;
    }
    return new Image(d, 3, h, w);
  }

  private static ConvOp conv(
      String name, String in, int cin, int cout, int k, boolean relu, Random r) {
    float[] w = new float[cout * cin * k * k];
    float[] b = new float[cout];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (r.nextGaussian() * 0.3);
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) (r.nextGaussian() * 0.1);
    }
    return new ConvOp(name, in, name, cin, cout, k, 1, k / 2, relu, w, b);
  }

  private static ConvOp identity(String name, String in, int channels) {
    float[] w = new float[channels * channels];
    for (int c = 0; c < channels; c++) {
      w[c * channels + c] = 1f;
    }
    return new ConvOp(name, in, name, channels, channels, 1, 1, 0, false, w, new float[channels]);
  }

  /** Integer vs float on one graph: max |difference| in steps of the output's quantisation. */
  private static double maxStepsOff(SrGraph graph, Image x, int bits) {
    SrGraph int8Weights = graph.withInt8Weights();
    Map<String, double[]> ranges = SrCalibration.ranges(int8Weights, List.of(x));
    Image f = int8Weights.runFloat(x, null);
    Image q =
        new QuantSrRunner(graph, ranges, Collections.nCopies(graph.convs().size(), bits)).run(x);
    double[] r = ranges.get(graph.output());
    double step = ActQuant.calibrate(bits, r[0], r[1]).scale();
    double worst = 0;
    for (int i = 0; i < f.data().length; i++) {
      worst = Math.max(worst, Math.abs(f.data()[i] - q.data()[i]) / step);
    }
    assertThat(q.channels()).isEqualTo(f.channels());
    assertThat(q.data()).hasSameSizeAs(f.data());
    return worst;
  }

  @ParameterizedTest
  @ValueSource(ints = {8, 16})
  void fiveByFiveConvolutionWithRelu(int bits) {
    SrGraph g = SrGraph.of("x", "a", List.of(conv("a", "x", 3, 6, 5, true, new Random(1))));
    assertThat(maxStepsOff(g, rgb(13, 11), bits)).isLessThanOrEqualTo(1.0);
  }

  @ParameterizedTest
  @ValueSource(ints = {8, 16})
  void oneByOneConvolution(int bits) {
    SrGraph g = SrGraph.of("x", "a", List.of(conv("a", "x", 3, 5, 1, false, new Random(2))));
    assertThat(maxStepsOff(g, rgb(9, 12), bits)).isLessThanOrEqualTo(1.0);
  }

  @ParameterizedTest
  @ValueSource(ints = {8, 16})
  void identityConvolutionIsExact(int bits) {
    SrGraph g = SrGraph.of("x", "i", List.of(identity("i", "x", 3)));
    assertThat(maxStepsOff(g, rgb(8, 8), bits)).isLessThanOrEqualTo(1e-6);
  }

  @ParameterizedTest
  @ValueSource(ints = {8, 16})
  void channelConcatenation(int bits) {
    SrGraph g =
        SrGraph.of("x", "c", List.of(identity("i", "x", 3), new ConcatOp(List.of("x", "i"), "c")));
    Image x = rgb(7, 10);
    assertThat(maxStepsOff(g, x, bits)).isLessThanOrEqualTo(1.0);
    assertThat(g.runFloat(x, null).channels()).isEqualTo(6);
  }

  @ParameterizedTest
  @ValueSource(ints = {8, 16})
  void residualAdd(int bits) {
    SrGraph g = SrGraph.of("x", "s", List.of(identity("i", "x", 3), new AddOp("x", "i", "s")));
    assertThat(maxStepsOff(g, rgb(10, 9), bits)).isLessThanOrEqualTo(1.0);
  }

  @ParameterizedTest
  @ValueSource(ints = {8, 16})
  void nearestUpsamplingMovesCodes(int bits) {
    SrGraph g = SrGraph.of("x", "u", List.of(identity("i", "x", 3), new UpsampleOp("i", "u", 3)));
    Image x = rgb(5, 6);
    assertThat(maxStepsOff(g, x, bits)).isLessThanOrEqualTo(1.0);
    Image up = g.runFloat(x, null);
    assertThat(up.height()).isEqualTo(15);
    assertThat(up.width()).isEqualTo(18);
    // out[c][y][x] = in[c][y/3][x/3], e.g. channel 2, row 7, column 11 <- row 2, column 3
    assertThat(up.data()[(2 * 15 + 7) * 18 + 11]).isEqualTo(x.data()[(2 * 5 + 2) * 6 + 3]);
  }

  /**
   * Dynamic range estimation: ranges calibrated on a bright image are far too wide for a dim one;
   * with DRE on both layers their codes cover the dim tile's own ranges, and the network's output
   * is closer to float than with the calibrated range (at 8 bits).
   */
  @org.junit.jupiter.api.Test
  void dynamicRangeEstimationTightensAWideCalibratedRange() {
    Random r = new Random(5);
    SrGraph g =
        SrGraph.of(
            "x", "b", List.of(conv("a", "x", 3, 8, 3, true, r), conv("b", "a", 8, 3, 3, false, r)));
    Image bright = rgb(16, 16);
    float[] d = bright.data().clone();
    for (int i = 0; i < d.length; i++) {
      d[i] = Math.round(d[i] * 255 / 16) / 255f; // a dim tile: 1/16 of the brightness
    }
    Image dim = new Image(d, 3, 16, 16);
    SrGraph w8 = g.withInt8Weights();
    Map<String, double[]> ranges = SrCalibration.ranges(w8, List.of(bright));
    List<Integer> bits = List.of(8, 8);
    Image f = w8.runFloat(dim, null);
    Image fixed = new QuantSrRunner(g, ranges, bits).run(dim);
    Image dre = new QuantSrRunner(g, ranges, bits, java.util.Set.of("a", "b")).run(dim);
    assertThat(meanAbs(dre, f)).isLessThan(0.7 * meanAbs(fixed, f));
  }

  private static double meanAbs(Image a, Image b) {
    double sum = 0;
    for (int i = 0; i < a.data().length; i++) {
      sum += Math.abs(a.data()[i] - b.data()[i]);
    }
    return sum / a.data().length;
  }
}
