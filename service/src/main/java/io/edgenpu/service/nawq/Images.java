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
    try {
      return io.edgenpu.npu.quant.LumaImages.decode(encoded, crop);
    } catch (IllegalArgumentException e) {
      String why = e.getMessage();
      throw InferenceException.invalid(why.startsWith("the image") ? why : "the body is " + why);
    }
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
