/**
 * FABNet experiments: butterfly accelerator tables, latency versus sequence length, ListOps
 * accuracy.
 */
@NullMarked
package io.edgenpu.experiments.fabnet;

import org.jspecify.annotations.NullMarked;
