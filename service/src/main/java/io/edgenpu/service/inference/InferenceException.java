package io.edgenpu.service.inference;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A request that cannot be (or was not) answered with a result: a {@link Status}, a message for the
 * client (never containing secrets or internals), and for retryable refusals a suggested retry
 * delay.
 */
public final class InferenceException extends RuntimeException {
  private final Status status;
  private final @Nullable Duration retryAfter;

  public InferenceException(Status status, String message) {
    this(status, message, null);
  }

  public InferenceException(Status status, String message, @Nullable Duration retryAfter) {
    super(message, null, false, false);
    this.status = status;
    this.retryAfter = retryAfter;
  }

  public static InferenceException invalid(String message) {
    return new InferenceException(Status.INVALID_ARGUMENT, message);
  }

  public static InferenceException notFound(String message) {
    return new InferenceException(Status.NOT_FOUND, message);
  }

  public Status status() {
    return status;
  }

  /** Suggested delay before a retry, or null. */
  public @Nullable Duration retryAfter() {
    return retryAfter;
  }
}
