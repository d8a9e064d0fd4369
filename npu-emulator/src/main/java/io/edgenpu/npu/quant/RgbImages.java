package io.edgenpu.npu.quant;

import io.edgenpu.npu.quant.SrGraph.Image;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * PNG/JPEG to the SR networks' images: one channel (luma, as {@link LumaImages}) or three (R, G, B
 * planes), values in [0, 1] (8-bit code / 255). Blocking.
 */
public final class RgbImages {
  private RgbImages() {}

  /** Reads an image file as {@code channels} (1 or 3) planes. */
  public static Image read(Path file, int channels) throws IOException {
    return decode(Files.readAllBytes(file), channels);
  }

  /**
   * Decodes an encoded image as {@code channels} (1: luma, 3: RGB; a grey image's three planes are
   * equal).
   *
   * @throws IllegalArgumentException when the bytes are not a readable PNG/JPEG or have no pixels
   */
  public static Image decode(byte[] encoded, int channels) {
    if (channels == 1) {
      return LumaImages.decode(encoded, 0);
    }
    if (channels != 3) {
      throw new IllegalArgumentException("images have 1 or 3 channels, not " + channels);
    }
    BufferedImage img = LumaImages.image(encoded);
    int h = img.getHeight();
    int w = img.getWidth();
    float[] d = new float[3 * h * w];
    boolean grey = img.getRaster().getNumBands() == 1;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        if (grey) {
          float v = img.getRaster().getSample(x, y, 0) / 255f;
          d[i] = v;
          d[h * w + i] = v;
          d[2 * h * w + i] = v;
        } else {
          int rgb = img.getRGB(x, y);
          d[i] = ((rgb >> 16) & 255) / 255f;
          d[h * w + i] = ((rgb >> 8) & 255) / 255f;
          d[2 * h * w + i] = (rgb & 255) / 255f;
        }
      }
    }
    return new Image(d, 3, h, w);
  }

  /**
   * BT.601 studio-range luma (as {@link LumaImages#luma}) of an RGB image in [0, 1], each channel
   * first rounded to 8 bits and clamped (the image as a PNG would hold it).
   */
  public static Image toY(Image rgb) {
    if (rgb.channels() == 1) {
      return rgb;
    }
    int n = rgb.height() * rgb.width();
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      int r = byteOf(rgb.data()[i]);
      int g = byteOf(rgb.data()[n + i]);
      int b = byteOf(rgb.data()[2 * n + i]);
      y[i] = (float) LumaImages.luma((r << 16) | (g << 8) | b);
    }
    return new Image(y, 1, rgb.height(), rgb.width());
  }

  /** A [0, 1] value as an 8-bit code: rounded, clamped. */
  public static int byteOf(float v) {
    return (int) Math.round(Math.max(0, Math.min(1, v)) * 255);
  }
}
