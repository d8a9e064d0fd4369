package io.edgenpu.npu.cost;

import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.profile.PrecisionCost;
import io.edgenpu.npu.profile.PrecisionMode;
import io.edgenpu.npu.workload.Layer;
import java.util.ArrayList;
import java.util.List;

/**
 * The tile-granular per-layer performance model of docs/papers/fluid-batching.md, for one hardware
 * profile. For layer (R, P, C), live batch b, layout ⟨B_R, B_P, k⟩:
 *
 * <pre>
 * t_r = T_R/k, t_p = k·T_P, t_c = T_C/k
 * passes = ceil(b / (B_R·B_P));  n_r = ceil(B_R·R / t_r)
 * NZ     = (p-tile, c-tile) pairs of blockdiag(W, ..., W) (B_P blocks) holding a non-zero block
 * cycles = groups · passes · n_r · NZ · (t_r + d_pipe) · macCost(precision)
 * bytes  = groups · passes · (β_w·P·C + β_a·B_R·B_P·I·ceil(C'/t_c) + β_a·B_R·B_P·R·C)
 *          I = min(R·P, input elements per group): the feature map, not its im2col expansion (decision 5)
 * T      = max(cycles / f, bytes / BW) + t_switch
 * </pre>
 *
 * With {@link NpuProfile.Fidelity#STREAMING_ROWS}, a row tile costs only its valid rows.
 * Thread-safe (stateless apart from the immutable profile).
 */
public final class CostModel {
  private final NpuProfile profile;

  public CostModel(NpuProfile profile) {
    this.profile = profile;
  }

  public NpuProfile profile() {
    return profile;
  }

  /**
   * Cost of a layer at batch b with a given layout and precision, every activation through DRAM.
   */
  public LayerCost cost(Layer layer, int b, Layout layout, PrecisionMode precision) {
    return cost(layer, b, layout, precision, false, false);
  }

  /**
   * Cost of a layer at batch b with a given layout and precision.
   *
   * @param inputOnChip the layer's input activations are already in the on-chip SRAM (no DRAM
   *     reads)
   * @param outputOnChip its output stays in the SRAM (no DRAM writes)
   */
  public LayerCost cost(
      Layer layer,
      int b,
      Layout layout,
      PrecisionMode precision,
      boolean inputOnChip,
      boolean outputOnChip) {
    return cost(layer, b, layout, precision, inputOnChip, outputOnChip, 1.0);
  }

  /**
   * Cost of a layer at batch b with a given layout and precision.
   *
   * @param inputOnChip the layer's input activations are already in the on-chip SRAM (no DRAM
   *     reads)
   * @param outputOnChip its output stays in the SRAM (no DRAM writes)
   * @param weightFetchFraction the share of its stored weights fetched per pass (the rest is
   *     resident in weight SRAM: {@link io.edgenpu.npu.profile.WeightMemory#fetchFraction}), over
   *     the profile's weight path
   */
  public LayerCost cost(
      Layer layer,
      int b,
      Layout layout,
      PrecisionMode precision,
      boolean inputOnChip,
      boolean outputOnChip,
      double weightFetchFraction) {
    if (b < 1) {
      throw new IllegalArgumentException("batch size must be >= 1");
    }
    PrecisionCost pc = profile.cost(precision);
    double switchNanos = profile.cyclesToNanos((double) profile.reconfigurationCycles());
    if (layer.kind() == Layer.Kind.FUSED) {
      return new LayerCost(0, 0, 0, 0, 0, false, layout);
    }
    if (!layer.isGemm()) {
      double bytes =
          pc.activationBytes()
              * ((inputOnChip ? 0 : layer.inputElements())
                  + (outputOnChip ? 0 : layer.outputElements()))
              * b;
      double vectorNanos =
          profile.cyclesToNanos(
              (double) (layer.inputElements() + layer.outputElements())
                  * b
                  / profile.vectorElementsPerCycle());
      double nanos =
          profile.memoryOps() == NpuProfile.MemoryOps.FREE
              ? 0
              : Math.max(profile.bytesToNanos(bytes), vectorNanos);
      return new LayerCost(
          0, bytes, nanos + switchNanos, 0, 0, profile.bytesToNanos(bytes) > vectorNanos, layout);
    }
    int k = layout.stacking();
    long tr = profile.tileRows() / k;
    long tp = (long) k * profile.tileDepth();
    long tc = profile.tileColumns() / k;
    long r = layer.rows();
    long p = layer.depth();
    long c = layer.columns();
    int bp = layout.depthBatch();
    long passes = ceilDiv(b, layout.samplesPerPass());
    long rowsPerPass = (long) layout.rowBatch() * r;
    long nr = ceilDiv(rowsPerPass, tr);
    long nz = nonZeroTilePairs(p, c, bp, tp, tc);
    double rowCycles =
        profile.fidelity() == NpuProfile.Fidelity.TILE
            ? nr * (double) (tr + profile.pipelineOverheadCycles())
            : rowsPerPass + nr * (double) profile.pipelineOverheadCycles();
    // Grouped convolutions whose groups are each smaller than a tile run block-diagonally: as many
    // groups as fit the tile's depth and columns share one pass (depthwise layers above all).
    long groupsPerTile =
        bp * p <= tp && bp * c <= tc
            ? Math.max(1, Math.min(layer.groups(), Math.min(tp / (bp * p), tc / (bp * c))))
            : 1;
    double cycles = ceilDiv(layer.groups(), groupsPerTile) * passes * nz * rowCycles * pc.macCost();
    long colTiles = ceilDiv((long) bp * c, tc);
    // Stored weights: the fetched fraction, once per pass, over the weight path; a dynamic operand
    // (attention's K or V) is an activation and moves over DRAM like the others.
    double storedWeightBytes =
        layer.weightsStatic() ? weightFetchFraction * pc.weightBytes() * p * c : 0;
    double weightBytes = layer.weightsStatic() ? 0 : pc.activationBytes() * p * c * bp;
    // Inputs: the feature map is read once per column tile (the input buffer holds one tile; im2col
    // happens
    // on chip), so a convolution reads C_in·H·W elements, not R·P; for a fully-connected layer both
    // are P.
    double inputPerGroup =
        Math.min((double) r * p, (double) layer.inputElements() / layer.groups());
    double inputBytes =
        inputOnChip
            ? 0
            : pc.activationBytes() * (double) layout.rowBatch() * bp * inputPerGroup * colTiles;
    double outputBytes =
        outputOnChip ? 0 : pc.activationBytes() * (double) layout.rowBatch() * bp * r * c;
    double bytes = layer.groups() * passes * (weightBytes + inputBytes + outputBytes);
    double fetched = layer.groups() * passes * storedWeightBytes;
    double compute = profile.cyclesToNanos(cycles);
    double memory = profile.bytesToNanos(bytes) + profile.weightBytesToNanos(fetched);
    bytes += fetched;
    long useful = (long) b * layer.macs();
    double util = cycles == 0 ? 0 : useful / (cycles / pc.macCost() * profile.macsPerCycle());
    return new LayerCost(
        cycles,
        bytes,
        Math.max(compute, memory) + switchNanos,
        useful,
        util,
        memory > compute,
        layout);
  }

  /**
   * The layouts the profile allows for batch b: B_R·B_P <= b, B_P = 1 without fluid batching, k in
   * the stacking set.
   */
  public List<Layout> candidateLayouts(int b) {
    List<Layout> out = new ArrayList<>();
    int maxBp = profile.fluidBatching() ? Math.min(b, profile.maxPBatch()) : 1;
    for (int k : profile.stackingFactors()) {
      for (int bp = 1; bp <= maxBp; bp++) {
        for (int br = 1; br * bp <= b; br++) {
          out.add(new Layout(br, bp, k));
        }
      }
    }
    return out;
  }

  /**
   * The fastest layout for a layer at batch b among those the profile and the layout policy allow.
   * Ties go to fewer cycles, then fewer bytes, then the simpler layout (smaller k, smaller B_P,
   * larger B_R), so the baseline layout wins whenever nothing beats it.
   */
  public LayerCost best(Layer layer, int b, PrecisionMode precision, LayoutPolicy policy) {
    return best(layer, b, precision, policy, false, false);
  }

  /**
   * As {@link #best(Layer, int, PrecisionMode, LayoutPolicy)}, with on-chip input/output as in
   * {@link #cost}.
   */
  public LayerCost best(
      Layer layer,
      int b,
      PrecisionMode precision,
      LayoutPolicy policy,
      boolean inputOnChip,
      boolean outputOnChip) {
    return best(layer, b, precision, policy, inputOnChip, outputOnChip, 1.0);
  }

  /**
   * As {@link #best(Layer, int, PrecisionMode, LayoutPolicy, boolean, boolean)}, with the share of
   * the layer's stored weights fetched per pass (see {@link #cost(Layer, int, Layout,
   * PrecisionMode, boolean, boolean, double)}).
   */
  public LayerCost best(
      Layer layer,
      int b,
      PrecisionMode precision,
      LayoutPolicy policy,
      boolean inputOnChip,
      boolean outputOnChip,
      double weightFetchFraction) {
    if (!layer.isGemm()) {
      return cost(layer, b, Layout.baseline(b), precision, inputOnChip, outputOnChip);
    }
    LayerCost best = null;
    for (Layout l : policy.filter(candidateLayouts(b), b)) {
      LayerCost c = cost(layer, b, l, precision, inputOnChip, outputOnChip, weightFetchFraction);
      if (best == null || better(c, best)) {
        best = c;
      }
    }
    if (best == null) {
      throw new IllegalStateException(
          "layout policy " + policy + " leaves no layout for batch " + b);
    }
    return best;
  }

  /** {@link #best(Layer, int, PrecisionMode, LayoutPolicy)} with {@link LayoutPolicy#FLUID}. */
  public LayerCost best(Layer layer, int b, PrecisionMode precision) {
    return best(layer, b, precision, LayoutPolicy.FLUID);
  }

  private static boolean better(LayerCost a, LayerCost b) {
    if (a.nanos() != b.nanos()) {
      return a.nanos() < b.nanos();
    }
    if (a.cycles() != b.cycles()) {
      return a.cycles() < b.cycles();
    }
    if (a.bytes() != b.bytes()) {
      return a.bytes() < b.bytes();
    }
    Layout x = a.layout();
    Layout y = b.layout();
    if (x.stacking() != y.stacking()) {
      return x.stacking() < y.stacking();
    }
    if (x.depthBatch() != y.depthBatch()) {
      return x.depthBatch() < y.depthBatch();
    }
    return x.rowBatch() > y.rowBatch();
  }

  /**
   * Number of (p-tile, c-tile) pairs of the block-diagonal matrix blockdiag(W, ..., W) with B_P
   * blocks of P x C that contain a non-zero block. Each p-tile meets a contiguous run of blocks,
   * whose column ranges form one contiguous interval of c-tiles, so the count is exact in O(B_P·P /
   * t_p).
   */
  static long nonZeroTilePairs(long p, long c, int bp, long tp, long tc) {
    if (bp == 1) {
      return ceilDiv(p, tp) * ceilDiv(c, tc);
    }
    long rows = bp * p;
    long pTiles = ceilDiv(rows, tp);
    long nz = 0;
    for (long t = 0; t < pTiles; t++) {
      long firstRow = t * tp;
      long lastRow = Math.min(rows, firstRow + tp) - 1;
      long firstBlock = firstRow / p;
      long lastBlock = lastRow / p;
      long firstColTile = (firstBlock * c) / tc;
      long lastColTile = ((lastBlock + 1) * c - 1) / tc;
      nz += lastColTile - firstColTile + 1;
    }
    return nz;
  }

  static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
