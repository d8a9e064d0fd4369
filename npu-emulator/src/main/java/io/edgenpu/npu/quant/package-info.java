/** NAWQ-SR: quantised super-resolution arithmetic, the hybrid-precision search, the tile codec. */
@NullMarked
package io.edgenpu.npu.quant;

import org.jspecify.annotations.NullMarked;
