package io.edgenpu.npu.cost;

import java.util.ArrayList;
import java.util.List;

/**
 * Which batch layouts the emulator may choose from (the third input of the emulator, next to the
 * hardware profile and the workload). The stacking factor k is always chosen among those the
 * profile supports.
 */
public enum LayoutPolicy {
  /**
   * Samples stacked along R only: ⟨b, 1, k⟩ (⟨b,1,1⟩ on hardware without stackable PEs: the
   * baseline NPU).
   */
  R_BATCHING,
  /**
   * Samples packed along P only: ⟨1, b, k⟩ (needs fluid-batching hardware, else falls back to R).
   */
  P_BATCHING,
  /** Any ⟨B_R, B_P, k⟩ the hardware allows: fluid batching. */
  FLUID;

  List<Layout> filter(List<Layout> candidates, int b) {
    if (this == FLUID) {
      return candidates;
    }
    List<Layout> out = new ArrayList<>();
    for (Layout l : candidates) {
      boolean keep =
          this == R_BATCHING
              ? l.depthBatch() == 1 && l.rowBatch() == b
              : l.rowBatch() == 1 && l.depthBatch() == b;
      if (keep) {
        out.add(l);
      }
    }
    if (out.isEmpty()) {
      for (Layout l : candidates) {
        if (l.depthBatch() == 1 && l.rowBatch() == b) {
          out.add(l);
        }
      }
    }
    return out;
  }
}
