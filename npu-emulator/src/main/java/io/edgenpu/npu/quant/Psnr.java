package io.edgenpu.npu.quant;

import io.edgenpu.npu.quant.SrGraph.Image;

/**
 * PSNR as the model cards measure it: luma, the output rounded to 8 bits, a border of {@code scale}
 * pixels cropped.
 */
public final class Psnr {
  private Psnr() {}

  /**
   * dB; {@code out} and {@code reference} in [0, 1], same size (the output may be larger: its
   * top-left is used).
   */
  public static double luma(Image out, Image reference, int border) {
    double se = 0;
    long n = 0;
    int h = Math.min(out.height(), reference.height());
    int w = Math.min(out.width(), reference.width());
    for (int y = border; y < h - border; y++) {
      for (int x = border; x < w - border; x++) {
        double v =
            Math.round(Math.max(0, Math.min(1, out.data()[y * out.width() + x])) * 255) / 255.0;
        double d = v - reference.data()[y * reference.width() + x];
        se += d * d;
        n++;
      }
    }
    return 10 * Math.log10(1 / (se / n));
  }
}
