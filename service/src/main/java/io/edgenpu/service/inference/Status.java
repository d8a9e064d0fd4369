package io.edgenpu.service.inference;

/**
 * Outcome classes of a request, independent of the protocol. Each maps to one HTTP status and one
 * gRPC status code (see the gateways); the mapping is part of the documented API.
 */
public enum Status {
  INVALID_ARGUMENT(400),
  NOT_FOUND(404),
  PAYLOAD_TOO_LARGE(413),
  UNSUPPORTED_MEDIA_TYPE(415),
  /** Queue full or rate limited: retry later (429 with Retry-After). */
  RESOURCE_EXHAUSTED(429),
  /** Not ready, shutting down, circuit open, or shedding load (503 with Retry-After). */
  UNAVAILABLE(503),
  DEADLINE_EXCEEDED(504),
  CANCELLED(499),
  UNAUTHENTICATED(401),
  PERMISSION_DENIED(403),
  INTERNAL(500);

  private final int httpStatus;

  Status(int httpStatus) {
    this.httpStatus = httpStatus;
  }

  public int httpStatus() {
    return httpStatus;
  }
}
