package io.edgenpu.npu.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.edgenpu.npu.quant.SrGraph.Image;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** SSIM: 1 for identical 8-bit images, lower with noise, and lower for more noise. */
class SsimTest {
  @Test
  void identicalIsOneAndNoiseLowersIt() {
    Random r = new Random(3);
    float[] ref = new float[48 * 48];
    for (int i = 0; i < ref.length; i++) {
      ref[i] = Math.round(r.nextFloat() * 255) / 255f;
    }
    Image a = new Image(ref, 1, 48, 48);
    assertThat(Ssim.luma(a, a, 0)).isCloseTo(1.0, within(1e-9));
    float[] little = ref.clone();
    float[] much = ref.clone();
    for (int i = 0; i < ref.length; i++) {
      double g = r.nextGaussian();
      little[i] += (float) (0.01 * g);
      much[i] += (float) (0.1 * g);
    }
    double sLittle = Ssim.luma(new Image(little, 1, 48, 48), a, 0);
    double sMuch = Ssim.luma(new Image(much, 1, 48, 48), a, 0);
    assertThat(sLittle).isLessThan(1.0).isGreaterThan(sMuch);
  }
}
