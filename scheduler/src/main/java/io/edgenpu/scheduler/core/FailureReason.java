package io.edgenpu.scheduler.core;

/**
 * Why a request was not answered with a result. The gateways map these to protocol status codes;
 * the names follow Triton's failure reasons where they overlap.
 */
public enum FailureReason {
  /** Queue full at arrival, or admission predicted a deadline miss (load shedding). */
  REJECTED,
  /** The per-level queue timeout expired while queued. */
  QUEUE_TIMEOUT,
  /** The request's deadline passed before it was answered. */
  DEADLINE_EXCEEDED,
  /** The client went away or cancelled. */
  CANCELLED,
  /** The device failed while running the request. */
  BACKEND,
  /** The model was unloaded or the scheduler shut down before the request ran. */
  UNAVAILABLE
}
