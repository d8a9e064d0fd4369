/** Batching policies and the contract between them and the scheduler. */
@NullMarked
package io.edgenpu.scheduler.policy;

import org.jspecify.annotations.NullMarked;
