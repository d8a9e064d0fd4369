package io.edgenpu.npu.butterfly;

import java.util.List;

/**
 * FLOPs and parameters of FABNet and of the vanilla Transformer by the formulas of the paper's
 * compression script (docs/papers/fabnet.md), and the LRA configurations that script uses.
 */
public final class FabnetFormulas {
  /**
   * An LRA task: sequence length, and FABNet's (d, h, layers); the Transformer is 2 layers, d 64, h
   * 128.
   */
  public record Task(String name, int length, int d, int h, int layers) {}

  /** The configurations of the FLOP-count script (docs/papers/fabnet.md, third set). */
  public static final List<Task> LRA =
      List.of(
          new Task("ListOps", 2000, 128, 256, 2),
          new Task("Text", 4000, 64, 256, 2),
          new Task("Retrieval", 4000, 1024, 256, 2),
          new Task("Image", 1024, 64, 128, 1),
          new Task("Pathfinder", 1024, 64, 128, 6));

  private FabnetFormulas() {}

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  static long ceilPow2(long x) {
    return ButterflyCostModel.ceilPow2(x);
  }

  /** Transformer per layer: 2·L²·d + 4·L·d² + 2·L·d·h. */
  public static double transformerFlops(int length, int d, int h, int layers) {
    return layers * (2.0 * length * length * d + 4.0 * length * d * d + 2.0 * length * d * h);
  }

  /** Transformer parameters per layer: 4d² + 2dh. */
  public static double transformerParams(int d, int h, int layers) {
    return layers * (4.0 * d * d + 2.0 * d * h);
  }

  /**
   * FABNet (FBfly) per layer: L·2d·log d + d·2L'·log L' + L·2d·log d·(h/d) + L·2h·log h (d, h, L'
   * rounded up to powers of 2).
   */
  public static double fabnetFlops(int length, int d, int h, int layers) {
    double dd = ceilPow2(d);
    double hh = ceilPow2(h);
    double lp = ceilPow2(length);
    return layers
        * (length * 2 * dd * log2(dd)
            + dd * 2 * lp * log2(lp)
            + length * 2 * dd * log2(dd) * (hh / dd)
            + length * 2 * hh * log2(hh));
  }

  /** FABNet parameters per layer (the authors' rough count): 2d + 2L' + 4d + 4h. */
  public static double fabnetParams(int length, int d, int h, int layers) {
    return layers
        * (2.0 * ceilPow2(d) + 2.0 * ceilPow2(length) + 4.0 * ceilPow2(d) + 4.0 * ceilPow2(h));
  }

  public static double flopReduction(Task t) {
    return transformerFlops(t.length(), 64, 128, 2)
        / fabnetFlops(t.length(), t.d(), t.h(), t.layers());
  }

  public static double paramReduction(Task t) {
    return transformerParams(64, 128, 2) / fabnetParams(t.length(), t.d(), t.h(), t.layers());
  }
}
