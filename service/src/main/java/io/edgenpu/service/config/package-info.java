/** The service's configuration properties and the wiring of devices, executors and guards. */
@NullMarked
package io.edgenpu.service.config;

import org.jspecify.annotations.NullMarked;
