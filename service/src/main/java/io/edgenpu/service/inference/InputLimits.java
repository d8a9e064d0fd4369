package io.edgenpu.service.inference;

import io.edgenpu.api.tensor.Shapes;

/** The element-count check every transport applies to a request's input before reading its data. */
public final class InputLimits {
  private InputLimits() {}

  /**
   * The number of elements of input {@code name} of {@code shape}.
   *
   * @throws InferenceException 400 for a negative or overflowing shape, 413 above {@code
   *     maxElements}
   */
  public static long elementCount(String name, long[] shape, long maxElements) {
    long n;
    try {
      n = Shapes.elementCount(shape);
    } catch (IllegalArgumentException e) {
      throw InferenceException.invalid("input '" + name + "': " + e.getMessage());
    }
    if (n > maxElements) {
      throw new InferenceException(
          Status.PAYLOAD_TOO_LARGE,
          "input '" + name + "' has " + n + " elements; the limit is " + maxElements);
    }
    return n;
  }
}
