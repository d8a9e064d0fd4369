/** The device scheduler: lanes, queues, fluid batches, preemption, answers exactly once. */
@NullMarked
package io.edgenpu.scheduler.core;

import org.jspecify.annotations.NullMarked;
