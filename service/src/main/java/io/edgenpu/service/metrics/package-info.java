/** Micrometer meters of the devices, the scheduler and the gateway. */
@NullMarked
package io.edgenpu.service.metrics;

import org.jspecify.annotations.NullMarked;
