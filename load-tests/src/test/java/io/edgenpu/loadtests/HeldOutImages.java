package io.edgenpu.loadtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What the simulated cameras see: ee-digits' held-out test images ({@code
 * models/repository/ee-digits/eval/images-u8.bin}, 360 grey 32x32 views, uint8), each device
 * cycling through its own seeded shuffle of them. So the mix of easy and hard views, and with it
 * the exits the model takes, is the held-out set's natural one (about 43 % leave at the first
 * exit), not one easy image over and over.
 */
final class HeldOutImages {
  static final int PIXELS = 32 * 32;

  private final List<String> pixels;

  private HeldOutImages(List<String> pixels) {
    this.pixels = pixels;
  }

  /** The set from {@code file}: each image as the flat FP32 data of an OIP tensor, in [0, 1]. */
  static HeldOutImages load(Path file) {
    try {
      byte[] all = Files.readAllBytes(file);
      if (all.length == 0 || all.length % PIXELS != 0) {
        throw new IllegalArgumentException(file + " is not a set of 32x32 uint8 images");
      }
      String[] out = new String[all.length / PIXELS];
      for (int i = 0; i < out.length; i++) {
        StringBuilder b = new StringBuilder(PIXELS * 7);
        for (int p = 0; p < PIXELS; p++) {
          if (p > 0) {
            b.append(',');
          }
          b.append(String.format(Locale.ROOT, "%.4f", (all[i * PIXELS + p] & 0xff) / 255.0));
        }
        out[i] = b.toString();
      }
      return new HeldOutImages(List.of(out));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The set in the repository, from the module folder (Gatling's) or the repository root. */
  static HeldOutImages shipped() {
    String rel = "models/repository/ee-digits/eval/images-u8.bin";
    Path here = Path.of(rel);
    return load(Files.exists(here) ? here : Path.of("..").resolve(rel));
  }

  int size() {
    return pixels.size();
  }

  /**
   * An endless feeder for one device: {@code pixels} is the image's flat data, {@code image} its
   * index; a new seeded shuffle of the set for every pass.
   */
  Iterator<Map<String, Object>> feeder(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    return new Iterator<>() {
      private int[] order = new int[0];
      private int next;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Map<String, Object> next() {
        if (next == order.length) {
          order = shuffle(rnd, pixels.size());
          next = 0;
        }
        int i = order[next++];
        return Map.of("pixels", pixels.get(i), "image", i);
      }
    };
  }

  private static int[] shuffle(SplittableRandom rnd, int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
