/** NPU design-space sweeps over the emulator's profiles. */
@NullMarked
package io.edgenpu.experiments.npu;

import org.jspecify.annotations.NullMarked;
