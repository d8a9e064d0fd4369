/** Event loops that serialise a device's scheduling: real time and virtual time. */
@NullMarked
package io.edgenpu.scheduler.loop;

import org.jspecify.annotations.NullMarked;
