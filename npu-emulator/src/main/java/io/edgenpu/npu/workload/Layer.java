package io.edgenpu.npu.workload;

/**
 * One operator of a model as the NPU sees it, per sample (batch 1). A {@link Kind#GEMM} layer is
 * {@code groups} independent matrix products of an R x P input by a P x C weight
 * (docs/papers/fluid-batching.md: R = output pixels, P = K_h·K_w·C_in/groups, C = C_out/groups for
 * a convolution; R = 1, P = in-features, C = out-features for a fully-connected layer). A {@link
 * Kind#MEMORY} layer only moves data (pooling, element-wise, reshapes, DepthToSpace, ...). Element
 * counts are per sample. Immutable.
 *
 * @param weightsStatic whether the P x C operand is a stored weight (false for
 *     activation-by-activation products such as attention's Q·Kᵀ, whose second operand must be
 *     streamed per sample)
 */
public record Layer(
    String name,
    String opType,
    Kind kind,
    long rows,
    long depth,
    long columns,
    long groups,
    long inputElements,
    long outputElements,
    long weightElements,
    boolean weightsStatic) {

  public enum Kind {
    GEMM,
    MEMORY,
    /**
     * An element-wise activation fused into the output stage of the layer before it: costs nothing.
     */
    FUSED
  }

  public Layer {
    if (rows < 0 || depth < 0 || columns < 0 || (groups < 1 && kind == Kind.GEMM)) {
      throw new IllegalArgumentException("bad layer shape for " + name);
    }
  }

  public static Layer gemm(
      String name,
      String op,
      long r,
      long p,
      long c,
      long groups,
      long inElems,
      long outElems,
      long weightElems,
      boolean weightsStatic) {
    return new Layer(
        name, op, Kind.GEMM, r, p, c, groups, inElems, outElems, weightElems, weightsStatic);
  }

  public static Layer memory(String name, String op, long inElems, long outElems) {
    return new Layer(name, op, Kind.MEMORY, 0, 0, 0, 1, inElems, outElems, 0, true);
  }

  public static Layer fused(String name, String op, long elems) {
    return new Layer(name, op, Kind.FUSED, 0, 0, 0, 1, elems, elems, 0, true);
  }

  /** Multiply-accumulates per sample. */
  public long macs() {
    return kind == Kind.GEMM ? groups * rows * depth * columns : 0;
  }

  public boolean isGemm() {
    return kind == Kind.GEMM;
  }

  /** "(R, P, C)" or "(R, P, C) x groups". */
  public String shapeString() {
    if (kind == Kind.MEMORY) {
      return "mem(" + inputElements + "->" + outputElements + ")";
    }
    if (kind == Kind.FUSED) {
      return "fused";
    }
    String s = "(" + rows + ", " + depth + ", " + columns + ")";
    return groups > 1 ? s + "x" + groups : s;
  }
}
