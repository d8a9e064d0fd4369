package io.edgenpu.npu.quant;

/** Integer rounding as the NPU does it: round half away from zero. */
public final class Rounding {
  private Rounding() {}

  /** x rounded to the nearest integer, halves away from zero (2.5 -> 3, -2.5 -> -3). */
  public static long halfAwayFromZero(double x) {
    return x >= 0 ? (long) Math.floor(x + 0.5) : -(long) Math.floor(-x + 0.5);
  }

  /** v clamped to [lo, hi]. */
  public static long clamp(long v, long lo, long hi) {
    return Math.max(lo, Math.min(hi, v));
  }
}
