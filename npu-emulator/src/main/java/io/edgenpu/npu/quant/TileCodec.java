package io.edgenpu.npu.quant;

import io.edgenpu.npu.quant.SrGraph.Image;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The runtime image codec of NAWQ-SR (docs/papers/nawq-sr.md): the low-resolution image is cut into
 * tiles with a halo of context, each tile is scored for difficulty (total variation) and run either
 * in the static configuration or, for the hardest tiles that fit a latency budget, in the enhanced
 * one; the tiles' cores are stitched into the upscaled image. With a halo at least the network's
 * receptive radius, the stitched image equals the untiled one exactly. Stateless apart from its
 * settings.
 *
 * @param patch core size of a tile (low-resolution pixels)
 * @param halo context added on each side, clipped at the image's edges
 * @param scale the network's upscaling factor
 */
public record TileCodec(int patch, int halo, int scale) {
  /** A tile: its core [x0, x0+w) x [y0, y0+h) and the padded region read around it. */
  public record Tile(int x0, int y0, int w, int h, int px0, int py0, int pw, int ph) {}

  /** What one run did. */
  public record Outcome(Image image, int tiles, int enhanced, double nanos) {}

  public TileCodec {
    if (patch < 1 || halo < 0 || scale < 1) {
      throw new IllegalArgumentException("patch >= 1, halo >= 0 and scale >= 1 required");
    }
  }

  /** The tiles covering an h x w image, row by row. */
  public List<Tile> tiles(int h, int w) {
    List<Tile> out = new ArrayList<>();
    for (int y = 0; y < h; y += patch) {
      for (int x = 0; x < w; x += patch) {
        int cw = Math.min(patch, w - x);
        int ch = Math.min(patch, h - y);
        int px = Math.max(0, x - halo);
        int py = Math.max(0, y - halo);
        out.add(
            new Tile(
                x,
                y,
                cw,
                ch,
                px,
                py,
                Math.min(w, x + cw + halo) - px,
                Math.min(h, y + ch + halo) - py));
      }
    }
    return out;
  }

  /** The padded region of a tile, every channel. */
  public static Image crop(Image img, Tile t) {
    float[] d = new float[img.channels() * t.pw() * t.ph()];
    int plane = img.height() * img.width();
    for (int c = 0; c < img.channels(); c++) {
      for (int y = 0; y < t.ph(); y++) {
        System.arraycopy(
            img.data(),
            c * plane + (t.py0() + y) * img.width() + t.px0(),
            d,
            (c * t.ph() + y) * t.pw(),
            t.pw());
      }
    }
    return new Image(d, img.channels(), t.ph(), t.pw());
  }

  /**
   * Mean absolute horizontal plus vertical difference of a tile's core, over its channels: its
   * difficulty.
   */
  public static double totalVariation(Image img, Tile t) {
    double sum = 0;
    long n = 0;
    int plane = img.height() * img.width();
    for (int c = 0; c < img.channels(); c++) {
      int o = c * plane;
      for (int y = t.y0(); y < t.y0() + t.h(); y++) {
        for (int x = t.x0(); x < t.x0() + t.w(); x++) {
          float v = img.data()[o + y * img.width() + x];
          if (x + 1 < img.width()) {
            sum += Math.abs(img.data()[o + y * img.width() + x + 1] - v);
          }
          if (y + 1 < img.height()) {
            sum += Math.abs(img.data()[o + (y + 1) * img.width() + x] - v);
          }
          n++;
        }
      }
    }
    return sum / Math.max(1, n);
  }

  /**
   * The tiles to enhance: the hardest (by total variation) while the emulated time stays within
   * {@code budgetNanos}.
   */
  public static Set<Tile> chooseEnhanced(
      Image lr, List<Tile> tiles, TileCost cost, double budgetNanos) {
    List<Tile> byDifficulty = new ArrayList<>(tiles);
    byDifficulty.sort(Comparator.comparingDouble((Tile t) -> totalVariation(lr, t)).reversed());
    Set<Tile> chosen = new HashSet<>();
    double total = nanos(tiles, chosen, cost);
    for (Tile t : byDifficulty) {
      double extra = cost.nanos(t, true) - cost.nanos(t, false);
      if (total + extra <= budgetNanos) {
        chosen.add(t);
        total += extra;
      }
    }
    return chosen;
  }

  /** Emulated time of the tiles, the {@code enhanced} ones in the enhanced mode. */
  public static double nanos(List<Tile> tiles, Set<Tile> enhanced, TileCost cost) {
    double total = 0;
    for (Tile t : tiles) {
      total += cost.nanos(t, enhanced.contains(t));
    }
    return total;
  }

  /**
   * Stitches the tiles' upscaled padded regions ({@code outputs[i]} of {@code tiles[i]}) into an
   * (h*scale) x (w*scale) image.
   */
  public Image stitch(List<Tile> tiles, List<Image> outputs, int h, int w) {
    int channels = outputs.isEmpty() ? 1 : outputs.get(0).channels();
    int ow = w * scale;
    int plane = h * scale * ow;
    float[] out = new float[channels * plane];
    for (int i = 0; i < tiles.size(); i++) {
      Tile t = tiles.get(i);
      Image up = outputs.get(i);
      int upPlane = up.height() * up.width();
      int offX = (t.x0() - t.px0()) * scale;
      int offY = (t.y0() - t.py0()) * scale;
      for (int c = 0; c < channels; c++) {
        for (int y = 0; y < t.h() * scale; y++) {
          System.arraycopy(
              up.data(),
              c * upPlane + (offY + y) * up.width() + offX,
              out,
              c * plane + (t.y0() * scale + y) * ow + t.x0() * scale,
              t.w() * scale);
        }
      }
    }
    return new Image(out, channels, h * scale, ow);
  }

  /**
   * Halo overhead of a tiling: low-resolution pixels the tiles run (padded regions) over the
   * image's pixels (1.0 = none).
   */
  public double haloOverhead(int h, int w) {
    long padded = 0;
    for (Tile t : tiles(h, w)) {
      padded += (long) t.pw() * t.ph();
    }
    return padded / (double) ((long) h * w);
  }

  /**
   * Upscales {@code lr} in one call: the tiles {@link #chooseEnhanced} picks go to {@code
   * enhanced}, the rest to {@code fixed}, and the results are stitched.
   */
  public Outcome run(
      Image lr,
      UnaryOperator<Image> fixed,
      UnaryOperator<Image> enhanced,
      TileCost cost,
      double budgetNanos) {
    List<Tile> tiles = tiles(lr.height(), lr.width());
    Set<Tile> chosen = chooseEnhanced(lr, tiles, cost, budgetNanos);
    List<Image> outputs = new ArrayList<>(tiles.size());
    for (Tile t : tiles) {
      outputs.add((chosen.contains(t) ? enhanced : fixed).apply(crop(lr, t)));
    }
    return new Outcome(
        stitch(tiles, outputs, lr.height(), lr.width()),
        tiles.size(),
        chosen.size(),
        nanos(tiles, chosen, cost));
  }
}
