package io.edgenpu.npu.quant;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A 2-D convolution in the NPU's integer arithmetic: unsigned activation codes in (8 or 16 bits,
 * per {@link ActQuant}), 8-bit per-channel weights, 32-bit integer bias, integer accumulation
 * (64-bit here: a 16x8-bit product sum over a large fan-in can overflow 32 bits), then
 * requantisation to the output's codes by a per-channel {@link FixedPointMultiplier} (s_in x s_w[c]
 * / s_out), rounding half away from zero and saturating; an optional fused ReLU clamps at the
 * output's zero point. Zero padding pads with the input's zero point (the code of 0.0). Layout:
 * [channels][height][width], one image. Immutable, thread-safe.
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
  public QuantConv2d(
      int inChannels,
      int outChannels,
      int kernel,
      int stride,
      int padding,
      boolean relu,
      float[] weights,
      float @Nullable [] bias,
      ActQuant in,
      ActQuant out) {
    if (weights.length != outChannels * inChannels * kernel * kernel) {
      throw new IllegalArgumentException(
          "expected "
              + outChannels * inChannels * kernel * kernel
              + " weights, got "
              + weights.length);
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

  /** The quantisation of the input codes this layer expects. */
  public ActQuant inputQuant() {
    return in;
  }

  /** Output codes of {@link #runDynamic} and the quantisation they were made in. */
  public record Dynamic(int[] codes, ActQuant quant) {}

  /**
   * Runs on input codes [inChannels][h][w]; returns output codes [outChannels][oh][ow] in the
   * output's calibrated quantisation. The input is re-centred on its zero point into a padded
   * buffer once; each output channel is accumulated as a plane, one weight tap at a time over
   * contiguous rows (so the JIT can vectorise it), in 32-bit integers where the channel's worst
   * case provably fits them, else 64-bit. Integer sums are exact in any order.
   */
  public int[] run(int[] input, int h, int w) {
    int plane = outputSize(h) * outputSize(w);
    int[] output = new int[outChannels * plane];
    accumulate(input, h, w, (oc, acc) -> requantise(acc, requant[oc], out, output, oc * plane));
    return output;
  }

  /**
   * Dynamic range estimation (NAWQ-SR's runtime mode): the same integer accumulation, then the
   * output's range is measured on this input (min and max of every channel's accumulator times its
   * scale, the pre-quantisation outputs after the fused ReLU) and the outputs are requantised over
   * that range at the output's wordlength, instead of over the calibrated one.
   */
  public Dynamic runDynamic(int[] input, int h, int w) {
    int plane = outputSize(h) * outputSize(w);
    long[] all = new long[outChannels * plane];
    double[] range = {relu ? 0 : Double.MAX_VALUE, relu ? 0 : -Double.MAX_VALUE};
    accumulate(
        input,
        h,
        w,
        (oc, acc) -> {
          double accScale = in.scale() * weights.scales()[oc];
          for (int i = 0; i < plane; i++) {
            long a = acc.get(i);
            all[oc * plane + i] = a;
            double real = relu ? Math.max(0, a * accScale) : a * accScale;
            range[0] = Math.min(range[0], real);
            range[1] = Math.max(range[1], real);
          }
        });
    ActQuant q = ActQuant.calibrate(out.bits(), range[0], range[1]);
    int[] output = new int[all.length];
    for (int oc = 0; oc < outChannels; oc++) {
      FixedPointMultiplier m =
          FixedPointMultiplier.of(in.scale() * weights.scales()[oc] / q.scale());
      int base = oc * plane;
      requantise(i -> all[base + i], m, q, output, base);
    }
    return new Dynamic(output, q);
  }

  /** One output channel's accumulators, read by index. */
  private interface Accumulators {
    long get(int i);
  }

  private interface ChannelSink {
    void accept(int outChannel, Accumulators acc);
  }

  private void requantise(
      Accumulators acc, FixedPointMultiplier m, ActQuant q, int[] output, int base) {
    int lo = relu ? q.zeroPoint() : 0;
    int hi = q.qmax();
    int n = output.length / outChannels;
    for (int i = 0; i < n; i++) {
      long v = q.zeroPoint() + m.apply(acc.get(i));
      output[base + i] = (int) Rounding.clamp(v, lo, hi);
    }
  }

  private void accumulate(int[] input, int h, int w, ChannelSink sink) {
    if (input.length != inChannels * h * w) {
      throw new IllegalArgumentException(
          "expected " + inChannels * h * w + " input codes, got " + input.length);
    }
    int oh = outputSize(h);
    int ow = outputSize(w);
    int ph = h + 2 * padding;
    int pw = w + 2 * padding;
    int zin = in.zeroPoint();
    int[] centred =
        new int[inChannels * ph * pw]; // code - zero point; the padding stays 0 (the code of 0.0)
    for (int ic = 0; ic < inChannels; ic++) {
      for (int y = 0; y < h; y++) {
        int from = (ic * h + y) * w;
        int to = (ic * ph + y + padding) * pw + padding;
        for (int x = 0; x < w; x++) {
          centred[to + x] = input[from + x] - zin;
        }
      }
    }
    byte[] wq = weights.codes();
    int perOut = inChannels * kernel * kernel;
    long maxCode = Math.max(zin, in.qmax() - zin);
    int[] acc32 = new int[oh * ow];
    long[] acc64 = new long[0]; // allocated when a channel needs 64-bit accumulators
    for (int oc = 0; oc < outChannels; oc++) {
      long bound = Math.abs(biasCodes[oc]);
      for (int t = 0; t < perOut; t++) {
        bound += Math.abs(wq[oc * perOut + t]) * maxCode;
      }
      boolean narrow = bound <= Integer.MAX_VALUE;
      if (!narrow && acc64.length == 0) {
        acc64 = new long[oh * ow];
      }
      if (narrow) {
        Arrays.fill(acc32, (int) biasCodes[oc]);
      } else {
        Arrays.fill(acc64, biasCodes[oc]);
      }
      for (int ic = 0; ic < inChannels; ic++) {
        for (int ky = 0; ky < kernel; ky++) {
          for (int kx = 0; kx < kernel; kx++) {
            int wv = wq[oc * perOut + (ic * kernel + ky) * kernel + kx];
            if (wv == 0) {
              continue;
            }
            for (int y = 0; y < oh; y++) {
              int src = (ic * ph + y * stride + ky) * pw + kx;
              int dst = y * ow;
              if (narrow && stride == 1) {
                for (int x = 0; x < ow; x++) {
                  acc32[dst + x] += wv * centred[src + x];
                }
              } else if (narrow) {
                for (int x = 0; x < ow; x++) {
                  acc32[dst + x] += wv * centred[src + x * stride];
                }
              } else {
                for (int x = 0; x < ow; x++) {
                  acc64[dst + x] += (long) wv * centred[src + x * stride];
                }
              }
            }
          }
        }
      }
      int[] a32 = acc32;
      long[] a64 = acc64;
      sink.accept(oc, narrow ? i -> a32[i] : i -> a64[i]);
    }
  }
}
