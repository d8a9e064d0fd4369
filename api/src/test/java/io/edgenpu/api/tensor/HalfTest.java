package io.edgenpu.api.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** FP16 and bfloat16 conversions: exact round trips, round to nearest even, the special values. */
class HalfTest {
  @Test
  void everyFp16ValueSurvivesARoundTripThroughFloat() {
    for (int h = 0; h < 0x10000; h++) {
      float f = Half.toFloat((short) h);
      if (Float.isNaN(f)) {
        assertThat(Float.isNaN(Half.toFloat(Half.fromFloat(f)))).isTrue();
      } else {
        assertThat(Half.fromFloat(f) & 0xFFFF).as("half 0x%04x", h).isEqualTo(h);
      }
    }
  }

  @Property(tries = 20_000)
  void fp16IsTheNearestRepresentableValueTiesToEven(@ForAll float f) {
    if (Float.isNaN(f) || Float.isInfinite(f) || Math.abs(f) > 65504f) {
      return;
    }
    short h = Half.fromFloat(f);
    float chosen = Half.toFloat(h);
    float below = Half.toFloat((short) (h - (chosen > 0 || (chosen == 0 && f >= 0) ? 1 : -1)));
    float above = Half.toFloat((short) (h + (chosen > 0 || (chosen == 0 && f >= 0) ? 1 : -1)));
    double error = Math.abs((double) chosen - f);
    for (float neighbour : new float[] {below, above}) {
      if (!Float.isNaN(neighbour) && !Float.isInfinite(neighbour)) {
        double other = Math.abs((double) neighbour - f);
        assertThat(error).isLessThanOrEqualTo(other);
        if (error == other) {
          assertThat(h & 1).as("a tie goes to the even value").isZero();
        }
      }
    }
  }

  @Test
  void specialValues() {
    assertThat(Half.fromFloat(65504f)).isEqualTo((short) 0x7BFF); // the largest finite half
    assertThat(Half.fromFloat(65520f)).isEqualTo((short) 0x7C00); // rounds to infinity
    assertThat(Half.fromFloat(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xFC00);
    assertThat(Half.fromFloat(-0f)).isEqualTo((short) 0x8000);
    assertThat(Half.toFloat((short) 0x0001))
        .isEqualTo((float) Math.pow(2, -24)); // smallest subnormal
    assertThat(Half.fromFloat((float) Math.pow(2, -26))).isZero(); // below half the smallest: 0
    assertThat(Float.isNaN(Half.toFloat(Half.fromFloat(Float.NaN)))).isTrue();
  }

  @Property(tries = 20_000)
  void bfloat16KeepsTheTopSixteenBitsRoundedToNearestEven(@ForAll float f) {
    if (Float.isNaN(f)) {
      assertThat(Float.isNaN(Half.bf16ToFloat(Half.bf16FromFloat(f)))).isTrue();
      return;
    }
    float back = Half.bf16ToFloat(Half.bf16FromFloat(f));
    if (Float.isInfinite(back) && !Float.isInfinite(f)) {
      return; // rounded past the largest bfloat16: infinity is the nearest-even result
    }
    int bits = Float.floatToRawIntBits(f);
    int lower = bits & 0xFFFF;
    int kept = bits & 0xFFFF0000;
    int expected =
        lower > 0x8000 || (lower == 0x8000 && (kept & 0x10000) != 0) ? kept + 0x10000 : kept;
    assertThat(Float.floatToRawIntBits(back)).isEqualTo(expected);
  }
}
