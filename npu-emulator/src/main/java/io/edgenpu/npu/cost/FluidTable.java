package io.edgenpu.npu.cost;

import io.edgenpu.npu.profile.PrecisionMode;
import io.edgenpu.npu.workload.Layer;
import io.edgenpu.npu.workload.Workload;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The Fluid Batching Engine's control table for one model on one profile: for every layer (exit
 * heads included) and every live batch size 1..B_max, the chosen layout ⟨B_R, B_P, k⟩ and its
 * modelled cost; plus the per-stage latency T_stage(b) that the scheduler's oracle and the emulated
 * device use. Built once (O(layers · B_max · layouts)); lookups are array reads. Immutable and
 * thread-safe after construction.
 *
 * <p>Precision: each layer runs in the mode the precision plan gives it; where consecutive layers
 * differ, the conversion of the activations between them is charged to the later layer.
 *
 * <p>Activations: stage inputs come from DRAM and a stage's backbone output goes to DRAM (a batch
 * may be suspended or merged at a stage boundary); inside a stage, a layer's input or output stays
 * in the profile's on-chip SRAM when the batch's tensor fits in half of it.
 */
public final class FluidTable {
  private final Workload workload;
  private final CostModel model;
  private final LayoutPolicy policy;
  private final int maxBatch;
  private final LayerCost[][][] costs;
  private final long[][] stageNanos;
  private final double weightFetchFraction;

  private FluidTable(
      Workload workload,
      CostModel model,
      LayoutPolicy policy,
      int maxBatch,
      BiFunction<Integer, Integer, PrecisionMode> precisionOf) {
    this.workload = workload;
    this.model = model;
    this.policy = policy;
    this.maxBatch = maxBatch;
    int stages = workload.stageCount();
    this.costs = new LayerCost[stages][][];
    this.stageNanos = new long[stages][maxBatch + 1];
    // Weight residency is a property of the whole model: it fits the weight SRAM or it does not.
    this.weightFetchFraction =
        model.profile().weights().fetchFraction(storedWeightBytes(workload, model, precisionOf));
    PrecisionMode previous = null;
    for (int s = 0; s < stages; s++) {
      List<Layer> layers = workload.stages().get(s).allLayers();
      int backboneEnd = workload.stages().get(s).layers().size() - 1;
      costs[s] = new LayerCost[layers.size()][maxBatch + 1];
      PrecisionMode stageEntry = previous;
      for (int b = 1; b <= maxBatch; b++) {
        double total = 0;
        PrecisionMode prev = stageEntry;
        for (int i = 0; i < layers.size(); i++) {
          Layer layer = layers.get(i);
          PrecisionMode mode = precisionOf.apply(s, i);
          double actBytes = model.profile().cost(mode).activationBytes() * b;
          boolean inOnChip = i > 0 && fits(layer.inputElements() * actBytes);
          boolean outOnChip =
              i != backboneEnd && i != layers.size() - 1 && fits(layer.outputElements() * actBytes);
          LayerCost c =
              model.best(layer, b, mode, policy, inOnChip, outOnChip, weightFetchFraction);
          if (prev != null && prev != mode && layer.inputElements() > 0) {
            double convert =
                model
                    .profile()
                    .cyclesToNanos(
                        model.profile().convertCyclesPerElement() * layer.inputElements() * b);
            c =
                new LayerCost(
                    c.cycles(),
                    c.bytes(),
                    c.nanos() + convert,
                    c.usefulMacs(),
                    c.macUtilization(),
                    c.memoryBound(),
                    c.layout());
          }
          costs[s][i][b] = c;
          total += c.nanos();
          prev = mode;
        }
        stageNanos[s][b] = Math.max(1, Math.round(total));
      }
      previous = layers.isEmpty() ? previous : precisionOf.apply(s, layers.size() - 1);
    }
  }

  /**
   * Bytes of the stored weights of every layer (exit heads included), at each layer's precision.
   */
  static double storedWeightBytes(
      Workload workload, CostModel model, BiFunction<Integer, Integer, PrecisionMode> precisionOf) {
    double bytes = 0;
    for (int s = 0; s < workload.stageCount(); s++) {
      List<Layer> layers = workload.stages().get(s).allLayers();
      for (int i = 0; i < layers.size(); i++) {
        Layer layer = layers.get(i);
        if (layer.isGemm() && layer.weightsStatic()) {
          bytes +=
              model.profile().cost(precisionOf.apply(s, i)).weightBytes()
                  * (double) layer.groups()
                  * layer.depth()
                  * layer.columns();
        }
      }
    }
    return bytes;
  }

  /** Bytes of a workload's stored weights at the profile's default precision. */
  public static double storedWeightBytes(Workload workload, CostModel model) {
    PrecisionMode mode = model.profile().defaultPrecision();
    return storedWeightBytes(workload, model, (s, i) -> mode);
  }

  /** The share of the model's stored weights fetched per pass (0: all resident in weight SRAM). */
  public double weightFetchFraction() {
    return weightFetchFraction;
  }

  private boolean fits(double bytes) {
    long sram = model.profile().onChipActivationBytes();
    return sram > 0 && bytes <= sram / 2.0;
  }

  /** Table for a workload with every layer at the profile's default precision. */
  public static FluidTable build(
      CostModel model, Workload workload, int maxBatch, LayoutPolicy policy) {
    PrecisionMode mode = model.profile().defaultPrecision();
    return new FluidTable(workload, model, policy, maxBatch, (s, i) -> mode);
  }

  /** Table with a per-layer precision: {@code precisionOf.apply(stage, layerIndex)}. */
  public static FluidTable build(
      CostModel model,
      Workload workload,
      int maxBatch,
      LayoutPolicy policy,
      BiFunction<Integer, Integer, PrecisionMode> precisionOf) {
    return new FluidTable(workload, model, policy, maxBatch, precisionOf);
  }

  public int maxBatch() {
    return maxBatch;
  }

  public Workload workload() {
    return workload;
  }

  public CostModel costModel() {
    return model;
  }

  public LayoutPolicy layoutPolicy() {
    return policy;
  }

  /**
   * Modelled device time of a stage at batch b, nanoseconds (b clamped to 1..B_max, linear beyond).
   */
  public long stageNanos(int stage, int b) {
    if (b <= maxBatch) {
      return stageNanos[stage][Math.max(1, b)];
    }
    return Math.round((double) stageNanos[stage][maxBatch] * b / maxBatch);
  }

  /** The cost (and chosen layout) of layer {@code layer} of stage {@code stage} at batch b. */
  public LayerCost layer(int stage, int layer, int b) {
    return costs[stage][layer][Math.min(Math.max(1, b), maxBatch)];
  }

  public int layerCount(int stage) {
    return costs[stage].length;
  }

  /** Useful MACs / available MAC-cycles over a stage's compute layers at batch b. */
  public double stageUtilization(int stage, int b) {
    double useful = 0;
    double available = 0;
    for (int i = 0; i < costs[stage].length; i++) {
      LayerCost c = layer(stage, i, b);
      if (c.cycles() > 0) {
        useful += c.usefulMacs();
        available += c.usefulMacs() / Math.max(1e-12, c.macUtilization());
      }
    }
    return available == 0 ? 0 : useful / available;
  }

  /** Share of a stage's time at batch b spent in each stacking factor k (index = k). */
  public double[] stackingTimeShare(int stage, int b) {
    double[] share = new double[9];
    double total = 0;
    for (int i = 0; i < costs[stage].length; i++) {
      LayerCost c = layer(stage, i, b);
      if (c.cycles() > 0) {
        int k = c.layout().stacking();
        if (k < share.length) {
          share[k] += c.nanos();
        }
        total += c.nanos();
      }
    }
    if (total > 0) {
      for (int k = 0; k < share.length; k++) {
        share[k] /= total;
      }
    }
    return share;
  }

  /** The stacking factor that holds the largest share of a stage's time at batch b. */
  public int dominantStacking(int stage, int b) {
    double[] share = stackingTimeShare(stage, b);
    int best = 1;
    for (int k = 1; k < share.length; k++) {
      if (share[k] > share[best]) {
        best = k;
      }
    }
    return best;
  }
}
