package io.edgenpu.npu.cost;

/**
 * The modelled cost of one layer at one batch size, layout and precision.
 *
 * @param cycles compute cycles of the MAC array (0 for memory-only layers)
 * @param bytes DRAM traffic in bytes
 * @param nanos layer latency: max(compute time, memory time) plus the switch cost
 * @param usefulMacs multiply-accumulates the layer really needs (b · groups · R · P · C)
 * @param macUtilization usefulMacs / (cycles · T_P · T_C), 0 for memory-only layers
 * @param memoryBound whether the DRAM term dominates
 */
public record LayerCost(
    double cycles,
    double bytes,
    double nanos,
    long usefulMacs,
    double macUtilization,
    boolean memoryBound,
    Layout layout) {}
