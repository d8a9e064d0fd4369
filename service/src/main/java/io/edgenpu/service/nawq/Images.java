package io.edgenpu.service.nawq;

import io.edgenpu.npu.quant.SrGraph.Image;
import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.Status;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/** PNG/JPEG in and out for the SR endpoint: luma (BT.601 Y) in [0, 1], grey 8-bit PNG out. Blocking. */
public final class Images {
  private Images() {}

  /** Decodes an image to its luma; {@code crop} > 0 keeps only the top-left crop x crop pixels. Bad input is a 400. */
  public static Image luma(byte[] encoded, int crop) {
    BufferedImage img;
    try {
      img = ImageIO.read(new ByteArrayInputStream(encoded));
    } catch (IOException | RuntimeException e) {
      throw InferenceException.invalid("the body is not a readable PNG or JPEG image: " + e.getMessage());
    }
    if (img == null) {
      throw InferenceException.invalid("the body is not a PNG or JPEG image");
    }
    if (img.getWidth() < 1 || img.getHeight() < 1) {
      throw InferenceException.invalid("the image has no pixels");
    }
    int h = crop > 0 ? Math.min(crop, img.getHeight()) : img.getHeight();
    int w = crop > 0 ? Math.min(crop, img.getWidth()) : img.getWidth();
    float[] y = new float[h * w];
    boolean grey = img.getRaster().getNumBands() == 1;
    for (int r = 0; r < h; r++) {
      for (int c = 0; c < w; c++) {
        if (grey) {
          y[r * w + c] = img.getRaster().getSample(c, r, 0) / 255f;
        } else {
          int rgb = img.getRGB(c, r);
          y[r * w + c] = (float) ((0.299 * ((rgb >> 16) & 255) + 0.587 * ((rgb >> 8) & 255) + 0.114 * (rgb & 255)) / 255);
        }
      }
    }
    return new Image(y, 1, h, w);
  }

  /** Image dimensions without decoding the pixels (for the size limit); {width, height}, or null when unreadable. */
  public static int[] size(byte[] encoded) {
    try (var in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
      var readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        return null;
      }
      var reader = readers.next();
      try {
        reader.setInput(in);
        return new int[] {reader.getWidth(0), reader.getHeight(0)};
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** A grey 8-bit PNG of a one-channel image in [0, 1] (clamped, rounded). */
  public static byte[] png(Image img) {
    BufferedImage out = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < img.height(); y++) {
      for (int x = 0; x < img.width(); x++) {
        out.getRaster().setSample(x, y, 0, Math.round(Math.max(0, Math.min(1, img.data()[y * img.width() + x])) * 255));
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      ImageIO.write(out, "png", bytes);
    } catch (IOException e) {
      throw new InferenceException(Status.INTERNAL, "could not encode the PNG");
    }
    return bytes.toByteArray();
  }
}
