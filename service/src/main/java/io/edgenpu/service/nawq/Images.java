package io.edgenpu.service.nawq;

import io.edgenpu.npu.quant.LumaImages;
import io.edgenpu.npu.quant.SrGraph.Image;
import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.Status;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Objects;
import javax.imageio.ImageIO;
import org.jspecify.annotations.Nullable;

/**
 * PNG/JPEG in and out for the SR endpoint. Luma networks (one input channel) upscale BT.601
 * studio-range Y, as they were trained; a colour image's chroma (Cb, Cr) is upscaled bicubically
 * and recombined, as SR papers evaluate. RGB networks (three input channels) take the R, G, B
 * planes and return them. Blocking.
 */
public final class Images {
  private Images() {}

  /**
   * A decoded image: its luma in [0, 1], for a colour image its Cb and Cr planes (0..255 floats),
   * and its R, G, B planes in [0, 1] (equal for a grey image).
   *
   * @param cb null for a grey image
   */
  public record Decoded(Image luma, float @Nullable [] cb, float @Nullable [] cr, Image rgb) {
    public boolean colour() {
      return cb != null;
    }

    /** The image as a network with {@code channels} input channels (1 or 3) takes it. */
    public Image forChannels(int channels) {
      return channels == 3 ? rgb : luma;
    }
  }

  /** Decodes an image; bad input is a 400 with the reason. */
  public static Decoded decode(byte[] encoded) {
    BufferedImage img;
    try {
      img = ImageIO.read(new ByteArrayInputStream(encoded));
    } catch (IOException | RuntimeException e) {
      throw InferenceException.invalid(
          "the body is not a readable PNG or JPEG image: " + e.getMessage());
    }
    if (img == null) {
      throw InferenceException.invalid("the body is not a PNG or JPEG image");
    }
    int h = img.getHeight();
    int w = img.getWidth();
    if (img.getRaster().getNumBands() < 3) {
      float[] y = new float[h * w];
      for (int r = 0; r < h; r++) {
        for (int c = 0; c < w; c++) {
          y[r * w + c] = img.getRaster().getSample(c, r, 0) / 255f;
        }
      }
      Image grey = new Image(y, 1, h, w);
      float[] planes = new float[3 * h * w];
      for (int c = 0; c < 3; c++) {
        System.arraycopy(y, 0, planes, c * h * w, h * w);
      }
      return new Decoded(grey, null, null, new Image(planes, 3, h, w));
    }
    float[] y = new float[h * w];
    float[] cb = new float[h * w];
    float[] cr = new float[h * w];
    float[] planes = new float[3 * h * w];
    for (int r = 0; r < h; r++) {
      for (int c = 0; c < w; c++) {
        int rgb = img.getRGB(c, r);
        double red = ((rgb >> 16) & 255) / 255.0;
        double green = ((rgb >> 8) & 255) / 255.0;
        double blue = (rgb & 255) / 255.0;
        int i = r * w + c;
        planes[i] = (float) red;
        planes[h * w + i] = (float) green;
        planes[2 * h * w + i] = (float) blue;
        y[i] = (float) LumaImages.luma(rgb);
        cb[i] = (float) (128 - 37.797 * red - 74.203 * green + 112.0 * blue);
        cr[i] = (float) (128 + 112.0 * red - 93.786 * green - 18.214 * blue);
      }
    }
    return new Decoded(new Image(y, 1, h, w), cb, cr, new Image(planes, 3, h, w));
  }

  /**
   * Image dimensions without decoding the pixels (for the size limit); {width, height}, or null
   * when unreadable.
   */
  public static int @Nullable [] size(byte[] encoded) {
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

  /**
   * A PNG of the upscaled luma {@code y} (8-bit codes, row-major, {@code h} x {@code w}): grey when
   * {@code source} is grey, else RGB with the source's chroma upscaled bicubically to {@code h} x
   * {@code w}.
   */
  public static byte[] png(int[] y, int h, int w, Decoded source) {
    BufferedImage out;
    if (!source.colour()) {
      out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
      for (int r = 0; r < h; r++) {
        for (int c = 0; c < w; c++) {
          out.getRaster().setSample(c, r, 0, y[r * w + c]);
        }
      }
    } else {
      Image lr = source.luma();
      int[] cb = bicubic(Objects.requireNonNull(source.cb()), lr.height(), lr.width(), h, w);
      int[] cr = bicubic(Objects.requireNonNull(source.cr()), lr.height(), lr.width(), h, w);
      out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
      for (int r = 0; r < h; r++) {
        for (int c = 0; c < w; c++) {
          int i = r * w + c;
          double luma = 1.164383 * (y[i] - 16);
          int red = clamp(luma + 1.596027 * (cr[i] - 128));
          int green = clamp(luma - 0.391762 * (cb[i] - 128) - 0.812968 * (cr[i] - 128));
          int blue = clamp(luma + 2.017232 * (cb[i] - 128));
          out.setRGB(c, r, (red << 16) | (green << 8) | blue);
        }
      }
    }
    return encode(out);
  }

  /** A PNG of R, G, B planes of 8-bit codes ({@code h} x {@code w} each, one after the other). */
  public static byte[] pngRgb(int[] planes, int h, int w) {
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int r = 0; r < h; r++) {
      for (int c = 0; c < w; c++) {
        int i = r * w + c;
        out.setRGB(c, r, (planes[i] << 16) | (planes[h * w + i] << 8) | planes[2 * h * w + i]);
      }
    }
    return encode(out);
  }

  private static byte[] encode(BufferedImage out) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      ImageIO.write(out, "png", bytes);
    } catch (IOException e) {
      throw new InferenceException(Status.INTERNAL, "could not encode the PNG");
    }
    return bytes.toByteArray();
  }

  /** Bicubic resize of a 0..255 plane (Java 2D's), to 8-bit codes. */
  static int[] bicubic(float[] plane, int h, int w, int toH, int toW) {
    BufferedImage src = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int r = 0; r < h; r++) {
      for (int c = 0; c < w; c++) {
        src.getRaster().setSample(c, r, 0, clamp(plane[r * w + c]));
      }
    }
    BufferedImage dst = new BufferedImage(toW, toH, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = dst.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
    g.drawImage(src, 0, 0, toW, toH, null);
    g.dispose();
    int[] out = new int[toH * toW];
    dst.getRaster().getSamples(0, 0, toW, toH, 0, out);
    return out;
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }
}
