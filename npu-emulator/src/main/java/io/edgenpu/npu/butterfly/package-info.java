/**
 * The butterfly accelerator of FABNet: its cost model, profiles and reference tables, FFT and
 * butterfly kernels.
 */
@NullMarked
package io.edgenpu.npu.butterfly;

import org.jspecify.annotations.NullMarked;
