/** The shipped batching policies (FCFS, windowed, work-conserving, fluid batching and variants). */
@NullMarked
package io.edgenpu.scheduler.policy.internal;

import org.jspecify.annotations.NullMarked;
