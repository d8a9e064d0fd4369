package io.edgenpu.npu.quant;

import io.edgenpu.npu.quant.SrGraph.ConvOp;
import io.edgenpu.npu.quant.SrGraph.Image;

/** The FP32 reference kernels of {@link SrGraph} (same layouts as the integer ones). */
final class FloatOps {
  private FloatOps() {}

  static Image conv(ConvOp c, Image x) {
    int k = c.kernel();
    int oh = (x.height() + 2 * c.padding() - k) / c.stride() + 1;
    int ow = (x.width() + 2 * c.padding() - k) / c.stride() + 1;
    float[] out = new float[c.outChannels() * oh * ow];
    float[] in = x.data();
    for (int oc = 0; oc < c.outChannels(); oc++) {
      for (int y = 0; y < oh; y++) {
        for (int xx = 0; xx < ow; xx++) {
          double acc = c.bias() == null ? 0 : c.bias()[oc];
          for (int ic = 0; ic < c.inChannels(); ic++) {
            for (int ky = 0; ky < k; ky++) {
              int iy = y * c.stride() + ky - c.padding();
              if (iy < 0 || iy >= x.height()) {
                continue;
              }
              for (int kx = 0; kx < k; kx++) {
                int ix = xx * c.stride() + kx - c.padding();
                if (ix >= 0 && ix < x.width()) {
                  acc += in[(ic * x.height() + iy) * x.width() + ix] * c.weights()[((oc * c.inChannels() + ic) * k + ky) * k + kx];
                }
              }
            }
          }
          out[(oc * oh + y) * ow + xx] = (float) (c.relu() ? Math.max(0, acc) : acc);
        }
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

  /** PixelShuffle (ONNX DepthToSpace, CRD): out[c][y*r+dy][x*r+dx] = in[c*r*r + dy*r + dx][y][x]. */
  static Image depthToSpace(Image x, int r) {
    int[] from = depthToSpaceSources(x.channels(), x.height(), x.width(), r);
    float[] out = new float[from.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = x.data()[from[i]];
    }
    return new Image(out, x.channels() / (r * r), x.height() * r, x.width() * r);
  }

  /** For each output element of DepthToSpace (CRD) on [channels][h][w], the input element it copies. */
  static int[] depthToSpaceSources(int channels, int h, int w, int r) {
    int c = channels / (r * r);
    int[] from = new int[channels * h * w];
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          for (int dy = 0; dy < r; dy++) {
            for (int dx = 0; dx < r; dx++) {
              from[(ch * h * r + y * r + dy) * w * r + x * r + dx] = ((ch * r * r + dy * r + dx) * h + y) * w + x;
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
