package io.edgenpu.npu.quant;

import io.edgenpu.npu.quant.SrGraph.ConvOp;
import io.edgenpu.npu.quant.SrGraph.Image;
import java.util.Arrays;
import java.util.List;

/** The FP32 reference kernels of {@link SrGraph} (same layouts as the integer ones). */
final class FloatOps {
  private FloatOps() {}

  /**
   * Convolution with double accumulation, per output pixel in the order bias, then (ic, ky, kx):
   * the input is copied once into a zero-padded buffer and each output channel accumulated as a
   * plane, one tap at a time over contiguous rows.
   */
  static Image conv(ConvOp c, Image x) {
    if (x.channels() != c.inChannels()) {
      throw new IllegalArgumentException(
          c.name() + " takes " + c.inChannels() + " channels, got " + x.channels());
    }
    int k = c.kernel();
    int p = c.padding();
    int s = c.stride();
    int h = x.height();
    int w = x.width();
    int oh = (h + 2 * p - k) / s + 1;
    int ow = (w + 2 * p - k) / s + 1;
    int ph = h + 2 * p;
    int pw = w + 2 * p;
    double[] padded = new double[c.inChannels() * ph * pw];
    for (int ic = 0; ic < c.inChannels(); ic++) {
      for (int y = 0; y < h; y++) {
        for (int xx = 0; xx < w; xx++) {
          padded[(ic * ph + y + p) * pw + xx + p] = x.data()[(ic * h + y) * w + xx];
        }
      }
    }
    float[] out = new float[c.outChannels() * oh * ow];
    double[] acc = new double[oh * ow];
    for (int oc = 0; oc < c.outChannels(); oc++) {
      Arrays.fill(acc, c.bias()[oc]);
      for (int ic = 0; ic < c.inChannels(); ic++) {
        for (int ky = 0; ky < k; ky++) {
          for (int kx = 0; kx < k; kx++) {
            double wv = c.weights()[((oc * c.inChannels() + ic) * k + ky) * k + kx];
            for (int y = 0; y < oh; y++) {
              int src = (ic * ph + y * s + ky) * pw + kx;
              int dst = y * ow;
              for (int xx = 0; xx < ow; xx++) {
                acc[dst + xx] += padded[src + xx * s] * wv;
              }
            }
          }
        }
      }
      for (int i = 0; i < oh * ow; i++) {
        out[oc * oh * ow + i] = (float) (c.relu() ? Math.max(0, acc[i]) : acc[i]);
      }
    }
    return new Image(out, c.outChannels(), oh, ow);
  }

  static Image add(Image a, Image b) {
    float[] out = new float[a.data().length];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.data()[i] + b.data()[i];
    }
    return new Image(out, a.channels(), a.height(), a.width());
  }

  /** Channel concatenation: [c1][h][w] ++ [c2][h][w] is the arrays one after the other. */
  static Image concat(List<Image> parts) {
    int channels = 0;
    int length = 0;
    for (Image p : parts) {
      channels += p.channels();
      length += p.data().length;
    }
    float[] out = new float[length];
    int at = 0;
    for (Image p : parts) {
      System.arraycopy(p.data(), 0, out, at, p.data().length);
      at += p.data().length;
    }
    return new Image(out, channels, parts.get(0).height(), parts.get(0).width());
  }

  /** Nearest-neighbour upsampling by an integer factor: out[c][y][x] = in[c][y/f][x/f]. */
  static Image upsample(Image x, int f) {
    int[] from = upsampleSources(x.channels(), x.height(), x.width(), f);
    float[] out = new float[from.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = x.data()[from[i]];
    }
    return new Image(out, x.channels(), x.height() * f, x.width() * f);
  }

  /** For each output element of {@link #upsample}, the input element it copies. */
  static int[] upsampleSources(int channels, int h, int w, int f) {
    int[] from = new int[channels * h * f * w * f];
    int i = 0;
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < h * f; y++) {
        for (int x = 0; x < w * f; x++) {
          from[i++] = (c * h + y / f) * w + x / f;
        }
      }
    }
    return from;
  }

  /**
   * PixelShuffle (ONNX DepthToSpace, CRD): out[c][y*r+dy][x*r+dx] = in[c*r*r + dy*r + dx][y][x].
   */
  static Image depthToSpace(Image x, int r) {
    int[] from = depthToSpaceSources(x.channels(), x.height(), x.width(), r);
    float[] out = new float[from.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = x.data()[from[i]];
    }
    return new Image(out, x.channels() / (r * r), x.height() * r, x.width() * r);
  }

  /**
   * For each output element of DepthToSpace (CRD) on [channels][h][w], the input element it copies.
   */
  static int[] depthToSpaceSources(int channels, int h, int w, int r) {
    int c = channels / (r * r);
    int[] from = new int[channels * h * w];
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          for (int dy = 0; dy < r; dy++) {
            for (int dx = 0; dx < r; dx++) {
              from[(ch * h * r + y * r + dy) * w * r + x * r + dx] =
                  ((ch * r * r + dy * r + dx) * h + y) * w + x;
            }
          }
        }
      }
    }
    return from;
  }

  static Image clip(Image x, float lo, float hi) {
    float[] out = new float[x.data().length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.max(lo, Math.min(hi, x.data()[i]));
    }
    return new Image(out, x.channels(), x.height(), x.width());
  }
}
