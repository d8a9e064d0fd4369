package io.edgenpu.npu.quant;

import io.edgenpu.npu.quant.SrGraph.Image;

/**
 * PSNR as the model cards measure it: over every channel of the image (luma: Y PSNR; RGB: RGB
 * PSNR), the output rounded to 8 bits, a border of {@code border} pixels cropped.
 */
public final class Psnr {
  private Psnr() {}

  /**
   * dB; {@code out} and {@code reference} in [0, 1], same channels (the output may be larger: its
   * top-left is used).
   */
  public static double of(Image out, Image reference, int border) {
    if (out.channels() != reference.channels()) {
      throw new IllegalArgumentException(
          "channels differ: " + out.channels() + " vs " + reference.channels());
    }
    double se = 0;
    long n = 0;
    int h = Math.min(out.height(), reference.height());
    int w = Math.min(out.width(), reference.width());
    int op = out.height() * out.width();
    int rp = reference.height() * reference.width();
    for (int c = 0; c < out.channels(); c++) {
      for (int y = border; y < h - border; y++) {
        for (int x = border; x < w - border; x++) {
          double v = RgbImages.byteOf(out.data()[c * op + y * out.width() + x]) / 255.0;
          double d = v - reference.data()[c * rp + y * reference.width() + x];
          se += d * d;
          n++;
        }
      }
    }
    return 10 * Math.log10(1 / (se / n));
  }
}
