/** The NPU cost model: per-layer latency for a batch layout on a hardware profile. */
@NullMarked
package io.edgenpu.npu.cost;

import org.jspecify.annotations.NullMarked;
