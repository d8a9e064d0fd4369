/** Fluid-batching experiments: the paper's workloads in virtual time against the baselines. */
@NullMarked
package io.edgenpu.experiments.fluid;

import org.jspecify.annotations.NullMarked;
