package io.edgenpu.npu.quant;

import io.edgenpu.npu.quant.SrGraph.Image;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * PNG/JPEG to luma in [0, 1] for the SR networks, as they were trained (models/training/sr.py):
 * grey images as they are, colour ones as BT.601 studio-range Y (MATLAB's rgb2ycbcr: 16..235 over
 * 0..255). Blocking.
 */
public final class LumaImages {
  private LumaImages() {}

  /** Reads an image file; {@code crop} > 0 keeps its top-left crop x crop pixels. */
  public static Image read(Path file, int crop) throws IOException {
    return decode(Files.readAllBytes(file), crop);
  }

  /**
   * Decodes an encoded image; {@code crop} > 0 keeps its top-left crop x crop pixels.
   *
   * @throws IllegalArgumentException when the bytes are not a readable PNG/JPEG or have no pixels
   *     (the message says which)
   */
  public static Image decode(byte[] encoded, int crop) {
    BufferedImage img = image(encoded);
    int h = crop > 0 ? Math.min(crop, img.getHeight()) : img.getHeight();
    int w = crop > 0 ? Math.min(crop, img.getWidth()) : img.getWidth();
    float[] y = new float[h * w];
    boolean grey = img.getRaster().getNumBands() == 1;
    for (int r = 0; r < h; r++) {
      for (int c = 0; c < w; c++) {
        if (grey) {
          y[r * w + c] = img.getRaster().getSample(c, r, 0) / 255f;
        } else {
          y[r * w + c] = (float) luma(img.getRGB(c, r));
        }
      }
    }
    return new Image(y, 1, h, w);
  }

  /**
   * The decoded image of a PNG/JPEG with at least one pixel.
   *
   * @throws IllegalArgumentException when it is not one (the message says why)
   */
  static BufferedImage image(byte[] encoded) {
    BufferedImage img;
    try {
      img = ImageIO.read(new ByteArrayInputStream(encoded));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a readable PNG or JPEG image: " + e.getMessage(), e);
    }
    if (img == null) {
      throw new IllegalArgumentException("not a PNG or JPEG image");
    }
    if (img.getWidth() < 1 || img.getHeight() < 1) {
      throw new IllegalArgumentException("the image has no pixels");
    }
    return img;
  }

  /** BT.601 studio-range luma of a packed 0xRRGGBB pixel, in [0, 1] (16/255 .. 235/255). */
  public static double luma(int rgb) {
    return (16
            + (65.481 * ((rgb >> 16) & 255) + 128.553 * ((rgb >> 8) & 255) + 24.966 * (rgb & 255))
                / 255)
        / 255;
  }
}
