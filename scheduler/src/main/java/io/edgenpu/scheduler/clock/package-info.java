/** Clocks: the system clock and virtual time. */
@NullMarked
package io.edgenpu.scheduler.clock;

import org.jspecify.annotations.NullMarked;
