package io.edgenpu.npu.quant;

/**
 * 8-bit weights, symmetric per output channel: real = scale[c] x code, codes in [-127, 127] (the
 * NPU's weights are 8-bit in both A8W8 and A16W8).
 *
 * @param codes one code per weight, output channel major
 * @param scales one scale per output channel
 */
public record WeightQuant(byte[] codes, double[] scales) {
  public static final int QMAX = 127;

  /**
   * Quantises {@code weights} laid out as [outChannels][rest]: per channel, scale = max|w| / 127.
   */
  public static WeightQuant perChannel(float[] weights, int outChannels) {
    if (outChannels < 1 || weights.length % outChannels != 0) {
      throw new IllegalArgumentException(
          weights.length + " weights do not split into " + outChannels + " channels");
    }
    int per = weights.length / outChannels;
    byte[] codes = new byte[weights.length];
    double[] scales = new double[outChannels];
    for (int c = 0; c < outChannels; c++) {
      double maxAbs = 0;
      for (int i = 0; i < per; i++) {
        maxAbs = Math.max(maxAbs, Math.abs(weights[c * per + i]));
      }
      double scale =
          maxAbs > 0 ? maxAbs / QMAX : 1; // an all-zero channel: any scale, every code is 0
      scales[c] = scale;
      for (int i = 0; i < per; i++) {
        codes[c * per + i] =
            (byte)
                Rounding.clamp(
                    Rounding.halfAwayFromZero(weights[c * per + i] / scale), -QMAX, QMAX);
      }
    }
    return new WeightQuant(codes, scales);
  }

  /** The real value of weight {@code i} of output channel {@code c} (i indexes the whole array). */
  public double dequantize(int c, int i) {
    return scales[c] * codes[i];
  }
}
