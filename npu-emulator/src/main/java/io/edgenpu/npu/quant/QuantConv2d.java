package io.edgenpu.npu.quant;

/**
 * A 2-D convolution in the NPU's integer arithmetic: unsigned activation codes in (8 or 16 bits, per
 * {@link ActQuant}), 8-bit per-channel weights, 32-bit integer bias, integer accumulation (64-bit here: a
 * 16x8-bit product sum over a large fan-in can overflow 32 bits), then requantisation to the output's codes
 * by a per-channel {@link FixedPointMultiplier} (s_in x s_w[c] / s_out), rounding half away from zero and
 * saturating; an optional fused ReLU clamps at the output's zero point. Zero padding pads with the input's
 * zero point (the code of 0.0). Layout: [channels][height][width], one image. Immutable, thread-safe.
 */
public final class QuantConv2d {
  private final int inChannels;
  private final int outChannels;
  private final int kernel;
  private final int stride;
  private final int padding;
  private final boolean relu;
  private final ActQuant in;
  private final ActQuant out;
  private final WeightQuant weights;
  private final long[] biasCodes;
  private final FixedPointMultiplier[] requant;

  /**
   * @param weights real weights [outChannels][inChannels][kernel][kernel]
   * @param bias real bias per output channel (null: none)
   */
  public QuantConv2d(int inChannels, int outChannels, int kernel, int stride, int padding, boolean relu,
      float[] weights, float[] bias, ActQuant in, ActQuant out) {
    if (weights.length != outChannels * inChannels * kernel * kernel) {
      throw new IllegalArgumentException("expected " + outChannels * inChannels * kernel * kernel + " weights, got " + weights.length);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernel = kernel;
    this.stride = stride;
    this.padding = padding;
    this.relu = relu;
    this.in = in;
    this.out = out;
    this.weights = WeightQuant.perChannel(weights, outChannels);
    this.biasCodes = new long[outChannels];
    this.requant = new FixedPointMultiplier[outChannels];
    for (int c = 0; c < outChannels; c++) {
      double accScale = in.scale() * this.weights.scales()[c];
      biasCodes[c] = bias == null ? 0 : Rounding.halfAwayFromZero(bias[c] / accScale);
      requant[c] = FixedPointMultiplier.of(accScale / out.scale());
    }
  }

  public WeightQuant weights() {
    return weights;
  }

  public ActQuant outputQuant() {
    return out;
  }

  /** Output height (or width) for an input of {@code size}. */
  public int outputSize(int size) {
    return (size + 2 * padding - kernel) / stride + 1;
  }

  /** Runs on input codes [inChannels][h][w]; returns output codes [outChannels][oh][ow]. */
  public int[] run(int[] input, int h, int w) {
    if (input.length != inChannels * h * w) {
      throw new IllegalArgumentException("expected " + inChannels * h * w + " input codes, got " + input.length);
    }
    int oh = outputSize(h);
    int ow = outputSize(w);
    int[] output = new int[outChannels * oh * ow];
    int zin = in.zeroPoint();
    int lo = relu ? out.zeroPoint() : 0;
    int hi = out.qmax();
    byte[] wq = weights.codes();
    int perOut = inChannels * kernel * kernel;
    for (int oc = 0; oc < outChannels; oc++) {
      for (int y = 0; y < oh; y++) {
        for (int x = 0; x < ow; x++) {
          long acc = biasCodes[oc];
          for (int ic = 0; ic < inChannels; ic++) {
            for (int ky = 0; ky < kernel; ky++) {
              int iy = y * stride + ky - padding;
              for (int kx = 0; kx < kernel; kx++) {
                int ix = x * stride + kx - padding;
                int code = iy < 0 || iy >= h || ix < 0 || ix >= w ? zin : input[(ic * h + iy) * w + ix];
                acc += (long) (code - zin) * wq[oc * perOut + (ic * kernel + ky) * kernel + kx];
              }
            }
          }
          long q = out.zeroPoint() + requant[oc].apply(acc);
          output[(oc * oh + y) * ow + x] = (int) Rounding.clamp(q, lo, hi);
        }
      }
    }
    return output;
  }
}
