package io.edgenpu.npu.quant;

import io.edgenpu.npu.quant.SrGraph.Image;

/**
 * SSIM on luma (Wang et al. 2004): 11x11 Gaussian window (sigma 1.5), K1 = 0.01, K2 = 0.03, dynamic
 * range 1; the output rounded to 8 bits as for {@link Psnr}, a border cropped, mean over the valid
 * windows.
 */
public final class Ssim {
  private static final int RADIUS = 5;
  private static final double[] WINDOW = window();

  private Ssim() {}

  private static double[] window() {
    double[] w = new double[(2 * RADIUS + 1) * (2 * RADIUS + 1)];
    double sum = 0;
    for (int y = -RADIUS; y <= RADIUS; y++) {
      for (int x = -RADIUS; x <= RADIUS; x++) {
        double v = Math.exp(-(x * x + y * y) / (2 * 1.5 * 1.5));
        w[(y + RADIUS) * (2 * RADIUS + 1) + x + RADIUS] = v;
        sum += v;
      }
    }
    for (int i = 0; i < w.length; i++) {
      w[i] /= sum;
    }
    return w;
  }

  public static double luma(Image out, Image reference, int border) {
    int h = Math.min(out.height(), reference.height()) - 2 * border;
    int w = Math.min(out.width(), reference.width()) - 2 * border;
    double c1 = 0.01 * 0.01;
    double c2 = 0.03 * 0.03;
    double total = 0;
    long n = 0;
    for (int y = RADIUS; y < h - RADIUS; y++) {
      for (int x = RADIUS; x < w - RADIUS; x++) {
        double ma = 0;
        double mb = 0;
        double saa = 0;
        double sbb = 0;
        double sab = 0;
        for (int dy = -RADIUS; dy <= RADIUS; dy++) {
          for (int dx = -RADIUS; dx <= RADIUS; dx++) {
            double k = WINDOW[(dy + RADIUS) * (2 * RADIUS + 1) + dx + RADIUS];
            int yy = y + dy + border;
            int xx = x + dx + border;
            double a =
                Math.round(Math.max(0, Math.min(1, out.data()[yy * out.width() + xx])) * 255)
                    / 255.0;
            double b = reference.data()[yy * reference.width() + xx];
            ma += k * a;
            mb += k * b;
            saa += k * a * a;
            sbb += k * b * b;
            sab += k * a * b;
          }
        }
        double va = saa - ma * ma;
        double vb = sbb - mb * mb;
        double cov = sab - ma * mb;
        total += (2 * ma * mb + c1) * (2 * cov + c2) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
        n++;
      }
    }
    return total / Math.max(1, n);
  }
}
