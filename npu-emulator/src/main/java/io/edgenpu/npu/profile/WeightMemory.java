package io.edgenpu.npu.profile;

/**
 * Where a model's weights live between executions. Edge NPUs keep weights in on-chip SRAM when they
 * fit, loaded once when the model is loaded; what does not fit is fetched again for every
 * execution, so its cost is paid once per batch and batching amortises it. The cost model charges
 * the fetched fraction of each layer's weights per pass, over {@code fetchBytesPerSecond}.
 *
 * @param onChipBytes SRAM that holds weights; 0 = none (every weight is fetched every pass, the
 *     model of the paper's NPU, where weights stream from DRAM)
 * @param fetchBytesPerSecond bandwidth of the path non-resident weights come over (DRAM, or the
 *     host link of an accelerator without DRAM); 0 = the profile's DRAM bandwidth
 * @param overflow what happens when a model's weights exceed {@code onChipBytes}
 */
public record WeightMemory(long onChipBytes, double fetchBytesPerSecond, Overflow overflow) {
  /** No weight SRAM: weights are fetched every pass over DRAM. */
  public static final WeightMemory NONE = new WeightMemory(0, 0, Overflow.STREAM_EXCESS);

  /** What an accelerator does with a model whose weights do not all fit on chip. */
  public enum Overflow {
    /**
     * Caches what fits and streams the rest every execution (the Edge TPU compiler's parameter
     * caching): the fetched fraction is (W - S) / W.
     */
    STREAM_EXCESS,
    /**
     * Splits the model into contexts and reloads every context's weights for every execution (a
     * dataflow accelerator without DRAM): all weights are fetched once the model does not fit.
     */
    RELOAD_ALL
  }

  public WeightMemory {
    if (onChipBytes < 0 || fetchBytesPerSecond < 0) {
      throw new IllegalArgumentException("weight SRAM and fetch bandwidth must be >= 0");
    }
  }

  /**
   * The fraction of a model's weights fetched per pass, for a model with {@code modelWeightBytes}
   * of weights: 1 without weight SRAM, 0 when they fit, otherwise as {@link #overflow} says.
   */
  public double fetchFraction(double modelWeightBytes) {
    if (onChipBytes == 0) {
      return 1;
    }
    if (modelWeightBytes <= onChipBytes) {
      return 0;
    }
    return overflow == Overflow.RELOAD_ALL
        ? 1
        : (modelWeightBytes - onChipBytes) / modelWeightBytes;
  }
}
