package io.edgenpu.npu.quant;

/**
 * Quantisation of an activation tensor: asymmetric, per tensor, unsigned {@code bits}-bit codes (8
 * for A8W8, 16 for A16W8), real = scale x (code - zeroPoint), as SNPE/QNN's "TF-style"
 * quantisation. The calibrated range is widened to include 0 and nudged so that 0.0 is exactly a
 * code (zero padding and ReLU stay exact).
 *
 * @param bits 8 or 16
 * @param scale real units per code step, > 0
 * @param zeroPoint the code of 0.0, in [0, 2^bits - 1]
 */
public record ActQuant(int bits, double scale, int zeroPoint) {
  public ActQuant {
    if (bits != 8 && bits != 16) {
      throw new IllegalArgumentException("activation bits must be 8 or 16, got " + bits);
    }
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("scale must be a positive finite number");
    }
    if (zeroPoint < 0 || zeroPoint > (1 << bits) - 1) {
      throw new IllegalArgumentException(
          "zero point " + zeroPoint + " outside the " + bits + "-bit code range");
    }
  }

  /** From a calibrated [min, max] (min <= max); a degenerate range gets a tiny positive scale. */
  public static ActQuant calibrate(int bits, double min, double max) {
    if (!(min <= max)) {
      throw new IllegalArgumentException(
          "calibrated range must have min <= max, got [" + min + ", " + max + "]");
    }
    double lo = Math.min(min, 0);
    double hi = Math.max(max, 0);
    int qmax = (1 << bits) - 1;
    double scale = hi > lo ? (hi - lo) / qmax : 1e-8;
    int zero = (int) Rounding.clamp(Rounding.halfAwayFromZero(-lo / scale), 0, qmax);
    return new ActQuant(bits, scale, zero);
  }

  /** The largest code, 2^bits - 1. */
  public int qmax() {
    return (1 << bits) - 1;
  }

  /** The code of a real value: rounded half away from zero, saturated to [0, qmax]. */
  public int quantize(double real) {
    return (int) Rounding.clamp(Rounding.halfAwayFromZero(real / scale) + zeroPoint, 0, qmax());
  }

  /** The real value of a code. */
  public double dequantize(int code) {
    return scale * (code - zeroPoint);
  }

  /**
   * This tensor's range at another wordlength (the same calibrated range; only the step changes).
   */
  public ActQuant withBits(int newBits) {
    return calibrate(newBits, dequantize(0), dequantize(qmax()));
  }
}
