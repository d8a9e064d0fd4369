package io.edgenpu.scheduler.core;

/**
 * A stage failure that says the device is cut off for now (its circuit breaker is open, its
 * bulkhead is full, or a stage overran its time limit), not that the request was wrong: the
 * scheduler fails the batch's requests as {@link FailureReason#UNAVAILABLE} (HTTP 503 with
 * Retry-After) rather than as a backend error.
 */
public class DeviceUnavailableException extends RuntimeException {
  private final long retryAfterNanos;

  /**
   * @param retryAfterNanos when the device may serve again, from now; 0 when unknown
   */
  public DeviceUnavailableException(String message, long retryAfterNanos) {
    super(message);
    this.retryAfterNanos = Math.max(0, retryAfterNanos);
  }

  public long retryAfterNanos() {
    return retryAfterNanos;
  }
}
