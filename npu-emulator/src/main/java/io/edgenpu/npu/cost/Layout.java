package io.edgenpu.npu.cost;

/**
 * A per-layer batching policy ⟨B_R, B_P, k⟩ (the Fluid Batching Engine's table entry): B_R samples
 * stacked along R, B_P samples packed block-diagonally along P, and stacking factor k. Immutable.
 */
public record Layout(int rowBatch, int depthBatch, int stacking) {
  public Layout {
    if (rowBatch < 1 || depthBatch < 1 || stacking < 1) {
      throw new IllegalArgumentException("layout fields must be >= 1");
    }
  }

  /** The baseline NPU's layout for batch b: plain R-batching, no stacking. */
  public static Layout baseline(int b) {
    return new Layout(b, 1, 1);
  }

  /** Samples covered by one pass of this layout. */
  public int samplesPerPass() {
    return rowBatch * depthBatch;
  }

  @Override
  public String toString() {
    return "<" + rowBatch + "," + depthBatch + "," + stacking + ">";
  }
}
