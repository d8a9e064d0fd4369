/** Backends that compute: ONNX Runtime sessions and the emulated NPU's paced execution. */
@NullMarked
package io.edgenpu.service.backend;

import org.jspecify.annotations.NullMarked;
