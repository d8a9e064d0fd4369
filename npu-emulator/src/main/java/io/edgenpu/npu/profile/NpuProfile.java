package io.edgenpu.npu.profile;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The hardware description of a GEMM-array NPU with stackable processing elements
 * (docs/papers/fluid-batching.md): a T_C x T_P MAC array fed by T_R-row input tiles, the stacking
 * factors k it supports (tile becomes T_R/k x k·T_P x T_C/k), whether fluid (P-) batching is
 * available, clock, DRAM bandwidth, per-tile pipeline overhead, precision costs and switching
 * costs. One of the emulator's three inputs (with the workload and the layout policy). Immutable;
 * validated on construction.
 *
 * @param dramBytesPerSecond DRAM bandwidth; 0 = unlimited (compute-only model)
 * @param maxPBatch largest B_P tried when fluid batching is on
 * @param memoryOps how memory-only layers are charged
 * @param fidelity TILE: every tile costs T_R/k cycles (row padding counts); STREAMING_ROWS: only
 *     valid rows
 * @param reconfigurationCycles t_switch charged per layer (mux setting between layers)
 * @param preemptionCycles charged when a preemption suspends a batch (and again at its merge)
 * @param convertCyclesPerElement cost of requantising one activation element between precisions
 * @param onChipActivationBytes activation SRAM: inside a stage, a layer's input (output) stays on
 *     chip when the batch's tensor fits in half of it; 0 = every activation goes through DRAM (the
 *     spec's model)
 * @param vectorElementsPerCycle throughput of the vector unit for memory-only layers whose data is
 *     on chip
 * @param weights where weights live between executions (weight SRAM, fetch path)
 */
public record NpuProfile(
    int version,
    String name,
    String description,
    int tileRows,
    int tileDepth,
    int tileColumns,
    List<Integer> stackingFactors,
    boolean fluidBatching,
    int maxPBatch,
    double clockHz,
    double dramBytesPerSecond,
    int pipelineOverheadCycles,
    MemoryOps memoryOps,
    Fidelity fidelity,
    Map<PrecisionMode, PrecisionCost> precisions,
    PrecisionMode defaultPrecision,
    double convertCyclesPerElement,
    long reconfigurationCycles,
    long preemptionCycles,
    long onChipActivationBytes,
    int vectorElementsPerCycle,
    WeightMemory weights) {

  public enum MemoryOps {
    FREE,
    BANDWIDTH
  }

  public enum Fidelity {
    TILE,
    STREAMING_ROWS
  }

  public NpuProfile {
    if (tileRows < 1 || tileDepth < 1 || tileColumns < 1) {
      throw new IllegalArgumentException("tile sizes must be >= 1");
    }
    stackingFactors = List.copyOf(stackingFactors);
    if (stackingFactors.isEmpty() || !stackingFactors.contains(1)) {
      throw new IllegalArgumentException("stacking factors must include 1");
    }
    for (int k : stackingFactors) {
      if (k < 1 || tileRows % k != 0 || tileColumns % k != 0) {
        throw new IllegalArgumentException(
            "stacking factor " + k + " must divide T_R=" + tileRows + " and T_C=" + tileColumns);
      }
    }
    if (clockHz <= 0
        || dramBytesPerSecond < 0
        || pipelineOverheadCycles < 0
        || maxPBatch < 1
        || onChipActivationBytes < 0
        || vectorElementsPerCycle < 1) {
      throw new IllegalArgumentException(
          "clock > 0, bandwidth >= 0, overhead >= 0, max P-batch >= 1 required");
    }
    precisions = new EnumMap<>(precisions);
    if (!precisions.containsKey(defaultPrecision)) {
      throw new IllegalArgumentException(
          "default precision " + defaultPrecision + " has no cost entry");
    }
    precisions = Map.copyOf(precisions);
  }

  /** MACs per cycle of the array (T_P x T_C). */
  public int macsPerCycle() {
    return tileDepth * tileColumns;
  }

  public PrecisionCost cost(PrecisionMode mode) {
    PrecisionCost c = precisions.get(mode);
    if (c == null) {
      throw new IllegalArgumentException("profile " + name + " does not support " + mode);
    }
    return c;
  }

  /** Nanoseconds for a number of cycles. */
  public double cyclesToNanos(double cycles) {
    return cycles * 1e9 / clockHz;
  }

  /**
   * Nanoseconds to fetch a number of weight bytes over the weight path (DRAM unless the profile's
   * {@link WeightMemory} names another bandwidth).
   */
  public double weightBytesToNanos(double bytes) {
    return weights.fetchBytesPerSecond() > 0
        ? bytes * 1e9 / weights.fetchBytesPerSecond()
        : bytesToNanos(bytes);
  }

  /** Nanoseconds to move a number of bytes over DRAM (0 with unlimited bandwidth). */
  public double bytesToNanos(double bytes) {
    return dramBytesPerSecond == 0 ? 0 : bytes * 1e9 / dramBytesPerSecond;
  }

  /** A copy with some fields changed; used by the {@code with...} methods. */
  private NpuProfile copy(Consumer<Fields> change) {
    Fields f = new Fields(this);
    change.accept(f);
    return new NpuProfile(
        version,
        f.name,
        description,
        f.tileRows,
        f.tileDepth,
        f.tileColumns,
        f.stacking,
        f.fluid,
        maxPBatch,
        clockHz,
        f.dram,
        pipelineOverheadCycles,
        memoryOps,
        f.fidelity,
        f.precisions,
        defaultPrecision,
        convertCyclesPerElement,
        f.reconfiguration,
        preemptionCycles,
        f.onChip,
        vectorElementsPerCycle,
        f.weights);
  }

  private static final class Fields {
    String name;
    int tileRows;
    int tileDepth;
    int tileColumns;
    List<Integer> stacking;
    boolean fluid;
    double dram;
    Fidelity fidelity;
    long onChip;
    long reconfiguration;
    WeightMemory weights;
    Map<PrecisionMode, PrecisionCost> precisions;

    Fields(NpuProfile p) {
      precisions = p.precisions;
      name = p.name;
      tileRows = p.tileRows;
      tileDepth = p.tileDepth;
      tileColumns = p.tileColumns;
      stacking = p.stackingFactors;
      fluid = p.fluidBatching;
      dram = p.dramBytesPerSecond;
      fidelity = p.fidelity;
      onChip = p.onChipActivationBytes;
      reconfiguration = p.reconfigurationCycles;
      weights = p.weights;
    }
  }

  public NpuProfile withStacking(List<Integer> factors) {
    return copy(f -> f.stacking = factors);
  }

  public NpuProfile withFluidBatching(boolean on) {
    return copy(f -> f.fluid = on);
  }

  public NpuProfile withTiles(String newName, int rows, int depth, int columns) {
    return copy(
        f -> {
          f.name = newName;
          f.tileRows = rows;
          f.tileDepth = depth;
          f.tileColumns = columns;
        });
  }

  public NpuProfile withName(String newName) {
    return copy(f -> f.name = newName);
  }

  public NpuProfile withFidelity(Fidelity fidelity) {
    return copy(f -> f.fidelity = fidelity);
  }

  public NpuProfile withDramBandwidth(double bytesPerSecond) {
    return copy(f -> f.dram = bytesPerSecond);
  }

  public NpuProfile withReconfigurationCycles(long cycles) {
    return copy(f -> f.reconfiguration = cycles);
  }

  public NpuProfile withOnChipActivationBytes(long bytes) {
    return copy(f -> f.onChip = bytes);
  }

  /**
   * The same NPU with one precision mode's cost replaced (e.g. the A16W8 MAC cost r16 swept by the
   * NAWQ-SR results).
   */
  public NpuProfile withPrecisionCost(PrecisionMode mode, PrecisionCost cost) {
    Map<PrecisionMode, PrecisionCost> changed = new EnumMap<>(precisions);
    changed.put(mode, cost);
    return copy(f -> f.precisions = changed);
  }

  public NpuProfile withWeightMemory(WeightMemory memory) {
    return copy(f -> f.weights = memory);
  }
}
