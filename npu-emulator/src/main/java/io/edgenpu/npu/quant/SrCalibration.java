package io.edgenpu.npu.quant;

import io.edgenpu.npu.quant.SrGraph.ClipOp;
import io.edgenpu.npu.quant.SrGraph.DepthToSpaceOp;
import io.edgenpu.npu.quant.SrGraph.Image;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The calibration of an SR network's activation ranges (docs/papers/nawq-sr.md): min/max of every
 * tensor over a calibration set run in FP32, with two ranges fixed by what the tensors are rather
 * than by the data: the input is an 8-bit image, so its range is [0, 1] (its 8-bit codes are then
 * exactly the pixels); a tensor that only feeds a Clip (through DepthToSpace, which moves values)
 * is narrowed to the clip's range, because saturating at requantisation is the clip (the NPU fuses
 * it).
 *
 * <p>The calibration set ships beside the model ({@code calib/NN-lr.png} and {@code NN-hr.png},
 * crops of the training images written by {@code models/training/sr.py}): no held-out image is
 * seen.
 */
public final class SrCalibration {
  private SrCalibration() {}

  /** The luma calibration pairs in {@code <modelDirectory>/calib}, in file order. */
  public static List<HpqSearch.Pair> read(Path modelDirectory) throws IOException {
    return read(modelDirectory, 1);
  }

  /**
   * The calibration pairs in {@code <modelDirectory>/calib}, in file order, as {@code channels}-
   * channel images (1: luma, 3: RGB).
   */
  public static List<HpqSearch.Pair> read(Path modelDirectory, int channels) throws IOException {
    Path dir = modelDirectory.resolve("calib");
    if (!Files.isDirectory(dir)) {
      throw new IOException(
          "no calibration set: " + dir + " is missing (models/training/sr.py writes it)");
    }
    List<HpqSearch.Pair> pairs = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path lr :
          files.filter(p -> p.getFileName().toString().endsWith("-lr.png")).sorted().toList()) {
        Path hr = lr.resolveSibling(lr.getFileName().toString().replace("-lr.png", "-hr.png"));
        pairs.add(new HpqSearch.Pair(RgbImages.read(lr, channels), RgbImages.read(hr, channels)));
      }
    }
    if (pairs.isEmpty()) {
      throw new IOException("no calibration set: " + dir + " has no *-lr.png");
    }
    return pairs;
  }

  /** Calibrated [min, max] per tensor of {@code graph} over {@code inputs}. */
  public static Map<String, double[]> ranges(SrGraph graph, List<Image> inputs) {
    Map<String, double[]> ranges = new HashMap<>();
    for (Image x : inputs) {
      graph.runFloat(x, ranges);
    }
    ranges.put(graph.input(), new double[] {0, 1});
    Map<String, String> producerOf = new HashMap<>();
    for (SrGraph.Op op : graph.ops()) {
      if (op instanceof DepthToSpaceOp d) {
        producerOf.put(d.output(), d.input());
      }
    }
    for (SrGraph.Op op : graph.ops()) {
      if (op instanceof ClipOp c) {
        for (String t = c.input(); t != null; t = producerOf.get(t)) {
          double[] r = ranges.get(t);
          if (r == null) {
            break;
          }
          r[0] = Math.max(r[0], c.min());
          r[1] = Math.min(r[1], c.max());
          if (!(r[0] < r[1])) {
            r[0] = c.min();
            r[1] = c.max();
          }
        }
      }
    }
    return ranges;
  }

  /**
   * The upscaling factor of an SR graph: the product of its DepthToSpace blocks and upsampling
   * factors (1 when it has none).
   */
  public static int scale(SrGraph graph) {
    int s = 1;
    for (SrGraph.Op op : graph.ops()) {
      if (op instanceof DepthToSpaceOp d) {
        s *= d.block();
      } else if (op instanceof SrGraph.UpsampleOp u) {
        s *= u.factor();
      }
    }
    return s;
  }
}
