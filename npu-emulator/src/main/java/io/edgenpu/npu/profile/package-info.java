/** NPU hardware profiles: MAC array, tiles, stacking factors, precision modes, memory bandwidth. */
@NullMarked
package io.edgenpu.npu.profile;

import org.jspecify.annotations.NullMarked;
