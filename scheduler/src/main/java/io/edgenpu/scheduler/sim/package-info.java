/** Simulation of a device in virtual time: arrivals, exits and the latency oracle. */
@NullMarked
package io.edgenpu.scheduler.sim;

import org.jspecify.annotations.NullMarked;
