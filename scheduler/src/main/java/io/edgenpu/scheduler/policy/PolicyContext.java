package io.edgenpu.scheduler.policy;

import io.edgenpu.scheduler.core.ExitStatistics;
import io.edgenpu.scheduler.core.LatencyOracle;
import io.edgenpu.scheduler.core.SampleQueue;
import io.edgenpu.scheduler.core.StagePlan;

/**
 * What a policy may look at when it decides: the model's lane and the device state. Valid during
 * the call only.
 */
public interface PolicyContext {
  long now();

  String model();

  StagePlan plan();

  LatencyOracle oracle();

  ExitStatistics exits();

  /** The largest batch the device may run for this model. */
  int maxBatchSize();

  /** Latency target used when a request has no deadline of its own, nanoseconds (0 = none). */
  long defaultSloNanos();

  /** Waiting samples; policies must not modify it. */
  SampleQueue queue();

  /** Whether a batch is suspended by a preemption (at most one may be; no nesting). */
  boolean hasSuspendedBatch();
}
