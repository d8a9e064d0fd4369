/** Tensors as the wire sees them: datatypes, shapes, little-endian buffers, half floats. */
@NullMarked
package io.edgenpu.api.tensor;

import org.jspecify.annotations.NullMarked;
