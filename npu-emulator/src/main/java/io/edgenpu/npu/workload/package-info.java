/** Workloads as the cost model sees them: layers and stages of a network. */
@NullMarked
package io.edgenpu.npu.workload;

import org.jspecify.annotations.NullMarked;
