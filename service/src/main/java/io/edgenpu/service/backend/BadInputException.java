package io.edgenpu.service.backend;

/**
 * A request whose inputs fit the model's signature but not what the model can do with them (400, or
 * 413 when too large).
 */
public final class BadInputException extends RuntimeException {
  private final boolean tooLarge;

  public BadInputException(String message, boolean tooLarge) {
    super(message);
    this.tooLarge = tooLarge;
  }

  /** True when the input is too large (413) rather than malformed (400). */
  public boolean tooLarge() {
    return tooLarge;
  }
}
