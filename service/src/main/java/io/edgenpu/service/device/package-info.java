/**
 * Devices: a scheduler, an event loop and an accelerator (NPU emulator, butterfly, CPU), with fault
 * drills.
 */
@NullMarked
package io.edgenpu.service.device;

import org.jspecify.annotations.NullMarked;
