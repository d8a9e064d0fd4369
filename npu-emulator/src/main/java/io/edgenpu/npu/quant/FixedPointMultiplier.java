package io.edgenpu.npu.quant;

/**
 * A positive real multiplier M held as a 31-bit integer mantissa and a right shift, M ~ mantissa x
 * 2^-shift with mantissa in [2^30, 2^31), as integer-only requantisation does it. {@link #apply}
 * multiplies an accumulator exactly (128-bit intermediate) and rounds half away from zero: no
 * floating point at run time.
 *
 * @param mantissa in [2^30, 2^31)
 * @param shift right shift, >= 0 and < 127
 */
public record FixedPointMultiplier(long mantissa, int shift) {
  public FixedPointMultiplier {
    if (mantissa < (1L << 30) || mantissa >= (1L << 31)) {
      throw new IllegalArgumentException("mantissa must be in [2^30, 2^31)");
    }
    if (shift < 0 || shift >= 127) {
      throw new IllegalArgumentException("shift must be in [0, 127), got " + shift);
    }
  }

  /** The nearest representable multiplier to {@code real} (0 < real < 2^31). */
  public static FixedPointMultiplier of(double real) {
    if (!(real > 0) || real >= 0x1p31) {
      throw new IllegalArgumentException("multiplier must be in (0, 2^31), got " + real);
    }
    int exp = Math.getExponent(real); // real = f x 2^exp, f in [1, 2)
    int shift = 30 - exp; // mantissa = real x 2^shift in [2^30, 2^31)
    long mantissa = Math.round(Math.scalb(real, shift));
    if (mantissa == (1L << 31)) { // rounding carried into the next power of two
      mantissa >>= 1;
      shift -= 1;
    }
    if (shift < 0) {
      throw new IllegalArgumentException("multiplier too large: " + real);
    }
    return new FixedPointMultiplier(mantissa, shift);
  }

  /** The real value this multiplier stands for. */
  public double real() {
    return Math.scalb((double) mantissa, -shift);
  }

  /** round_half_away_from_zero(acc x mantissa / 2^shift), exactly; |acc| < 2^62. */
  public long apply(long acc) {
    boolean negative = acc < 0;
    long a = Math.abs(acc);
    // 128-bit product a x mantissa (both non-negative and < 2^63): hi:lo.
    long lo = a * mantissa;
    long hi = Math.multiplyHigh(a, mantissa);
    long rounded;
    if (shift == 0) {
      rounded = lo;
    } else {
      // Add 2^(shift-1) (half a unit of the result), then shift right by `shift` (logical,
      // 128-bit).
      long halfLo = shift - 1 < 64 ? 1L << (shift - 1) : 0;
      long halfHi = shift - 1 >= 64 ? 1L << (shift - 1 - 64) : 0;
      long sumLo = lo + halfLo;
      long carry = Long.compareUnsigned(sumLo, lo) < 0 ? 1 : 0;
      long sumHi = hi + halfHi + carry;
      rounded = shift < 64 ? (sumLo >>> shift) | (sumHi << (64 - shift)) : sumHi >>> (shift - 64);
    }
    return negative ? -rounded : rounded;
  }
}
