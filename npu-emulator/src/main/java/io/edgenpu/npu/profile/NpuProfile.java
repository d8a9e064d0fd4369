package io.edgenpu.npu.profile;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The hardware description of a GEMM-array NPU with stackable processing elements (fluid-batching.md §3):
 * a T_C x T_P MAC array fed by T_R-row input tiles, the stacking factors k it supports (tile becomes
 * T_R/k x k·T_P x T_C/k), whether fluid (P-) batching is available, clock, DRAM bandwidth, per-tile
 * pipeline overhead, precision costs and switching costs. One of the emulator's three inputs (with the
 * workload and the layout policy). Immutable; validated on construction.
 *
 * @param dramBytesPerSecond DRAM bandwidth; 0 = unlimited (compute-only model)
 * @param maxPBatch largest B_P tried when fluid batching is on
 * @param memoryOps how memory-only layers are charged
 * @param fidelity TILE: every tile costs T_R/k cycles (row padding counts); STREAMING_ROWS: only valid rows
 * @param reconfigurationCycles t_switch charged per layer (mux setting between layers)
 * @param preemptionCycles charged when a preemption suspends a batch (and again at its merge)
 * @param convertCyclesPerElement cost of requantising one activation element between precisions
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
    long preemptionCycles) {

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
        throw new IllegalArgumentException("stacking factor " + k + " must divide T_R=" + tileRows + " and T_C=" + tileColumns);
      }
    }
    if (clockHz <= 0 || dramBytesPerSecond < 0 || pipelineOverheadCycles < 0 || maxPBatch < 1) {
      throw new IllegalArgumentException("clock > 0, bandwidth >= 0, overhead >= 0, max P-batch >= 1 required");
    }
    precisions = new EnumMap<>(precisions);
    if (!precisions.containsKey(defaultPrecision)) {
      throw new IllegalArgumentException("default precision " + defaultPrecision + " has no cost entry");
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

  /** Nanoseconds to move a number of bytes over DRAM (0 with unlimited bandwidth). */
  public double bytesToNanos(double bytes) {
    return dramBytesPerSecond == 0 ? 0 : bytes * 1e9 / dramBytesPerSecond;
  }

  public NpuProfile withStacking(List<Integer> factors) {
    return new NpuProfile(version, name, description, tileRows, tileDepth, tileColumns, factors, fluidBatching, maxPBatch,
        clockHz, dramBytesPerSecond, pipelineOverheadCycles, memoryOps, fidelity, precisions, defaultPrecision,
        convertCyclesPerElement, reconfigurationCycles, preemptionCycles);
  }

  public NpuProfile withFluidBatching(boolean on) {
    return new NpuProfile(version, name, description, tileRows, tileDepth, tileColumns, stackingFactors, on, maxPBatch,
        clockHz, dramBytesPerSecond, pipelineOverheadCycles, memoryOps, fidelity, precisions, defaultPrecision,
        convertCyclesPerElement, reconfigurationCycles, preemptionCycles);
  }

  public NpuProfile withTiles(String newName, int rows, int depth, int columns) {
    return new NpuProfile(version, newName, description, rows, depth, columns, stackingFactors, fluidBatching, maxPBatch,
        clockHz, dramBytesPerSecond, pipelineOverheadCycles, memoryOps, fidelity, precisions, defaultPrecision,
        convertCyclesPerElement, reconfigurationCycles, preemptionCycles);
  }

  public NpuProfile withName(String newName) {
    return new NpuProfile(version, newName, description, tileRows, tileDepth, tileColumns, stackingFactors, fluidBatching,
        maxPBatch, clockHz, dramBytesPerSecond, pipelineOverheadCycles, memoryOps, fidelity, precisions, defaultPrecision,
        convertCyclesPerElement, reconfigurationCycles, preemptionCycles);
  }

  public NpuProfile withFidelity(Fidelity f) {
    return new NpuProfile(version, name, description, tileRows, tileDepth, tileColumns, stackingFactors, fluidBatching,
        maxPBatch, clockHz, dramBytesPerSecond, pipelineOverheadCycles, memoryOps, f, precisions, defaultPrecision,
        convertCyclesPerElement, reconfigurationCycles, preemptionCycles);
  }

  public NpuProfile withDramBandwidth(double bytesPerSecond) {
    return new NpuProfile(version, name, description, tileRows, tileDepth, tileColumns, stackingFactors, fluidBatching,
        maxPBatch, clockHz, bytesPerSecond, pipelineOverheadCycles, memoryOps, fidelity, precisions, defaultPrecision,
        convertCyclesPerElement, reconfigurationCycles, preemptionCycles);
  }
}
