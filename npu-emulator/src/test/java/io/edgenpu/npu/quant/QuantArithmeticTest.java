package io.edgenpu.npu.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Rounding, saturation, zero-point nudging and the fixed-point requantisation multiplier. */
class QuantArithmeticTest {
  @Test
  void roundsHalvesAwayFromZero() {
    assertThat(Rounding.halfAwayFromZero(2.5)).isEqualTo(3);
    assertThat(Rounding.halfAwayFromZero(-2.5)).isEqualTo(-3);
    assertThat(Rounding.halfAwayFromZero(2.4999999)).isEqualTo(2);
    assertThat(Rounding.halfAwayFromZero(-0.5)).isEqualTo(-1);
    assertThat(Rounding.halfAwayFromZero(0.0)).isZero();
  }

  @Test
  void zeroIsExactlyRepresentableAndCodesSaturate() {
    ActQuant a = ActQuant.calibrate(8, -0.37, 1.91);
    assertThat(a.dequantize(a.quantize(0.0))).isEqualTo(0.0);
    assertThat(a.quantize(1e9)).isEqualTo(255);
    assertThat(a.quantize(-1e9)).isZero();
    // A range that excludes zero is widened to include it.
    ActQuant positive = ActQuant.calibrate(16, 0.2, 0.9);
    assertThat(positive.zeroPoint()).isZero();
    assertThat(positive.qmax()).isEqualTo(65535);
    assertThat(positive.dequantize(positive.qmax())).isCloseTo(0.9, Offset.offset(1e-12));
  }

  @Test
  void quantiseDequantiseIsWithinHalfAStepInsideTheRange() {
    Random r = new Random(1);
    for (int bits : new int[] {8, 16}) {
      ActQuant a = ActQuant.calibrate(bits, -1.3, 2.7);
      for (int i = 0; i < 10_000; i++) {
        double x = -1.3 + 4.0 * r.nextDouble();
        assertThat(Math.abs(a.dequantize(a.quantize(x)) - x))
            .isLessThanOrEqualTo(a.scale() / 2 + 1e-12);
      }
    }
  }

  @Test
  void sixteenBitsKeepTheRangeWithASmallerStep() {
    ActQuant a8 = ActQuant.calibrate(8, -1, 3);
    ActQuant a16 = a8.withBits(16);
    assertThat(a16.scale()).isLessThan(a8.scale() / 200);
    assertThat(a16.dequantize(0)).isCloseTo(a8.dequantize(0), Offset.offset(a8.scale()));
  }

  @Test
  void weightsArePerChannelSymmetricAndSaturateAt127() {
    WeightQuant w =
        WeightQuant.perChannel(new float[] {0.5f, -1.0f, 0.25f, 0.01f, 0.02f, -0.04f}, 2);
    assertThat(w.scales()[0]).isEqualTo(1.0 / 127);
    assertThat(w.codes()[1]).isEqualTo((byte) -127);
    assertThat(w.codes()[5]).isEqualTo((byte) -127);
    assertThat(w.codes()[3]).isEqualTo((byte) 32); // 0.01 / (0.04 / 127) = 31.75 -> 32
  }

  @Test
  void fixedPointMultiplierIsExactIntegerArithmeticRoundedHalfAwayFromZero() {
    Random r = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      double real = Math.exp(-12 + 14 * r.nextDouble()); // 6e-6 .. 7.4
      FixedPointMultiplier m = FixedPointMultiplier.of(real);
      assertThat(Math.abs(m.real() - real) / real).isLessThan(1e-9);
      long acc = r.nextLong() >> (r.nextInt(40) + 20); // |acc| up to 2^43
      BigDecimal exact =
          new BigDecimal(BigInteger.valueOf(acc).multiply(BigInteger.valueOf(m.mantissa())))
              .divide(new BigDecimal(BigInteger.ONE.shiftLeft(m.shift())));
      long expected =
          exact.setScale(0, RoundingMode.HALF_UP).longValueExact(); // HALF_UP = half away from zero
      assertThat(m.apply(acc)).as("acc %d x %s", acc, m).isEqualTo(expected);
    }
  }

  @Test
  void fixedPointMultiplierRoundsExactHalvesAwayFromZero() {
    FixedPointMultiplier half = FixedPointMultiplier.of(0.5);
    assertThat(half.apply(5)).isEqualTo(3);
    assertThat(half.apply(-5)).isEqualTo(-3);
    assertThat(half.apply(4)).isEqualTo(2);
    assertThatThrownBy(() -> FixedPointMultiplier.of(0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
