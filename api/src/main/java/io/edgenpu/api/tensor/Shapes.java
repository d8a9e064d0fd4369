package io.edgenpu.api.tensor;

import java.util.Arrays;

/** Shape arithmetic with overflow checks. Shapes are row-major; every dimension is non-negative. */
public final class Shapes {
  /** Hard ceiling on the element count of one tensor (2^31 - 1): anything larger is refused. */
  public static final long MAX_ELEMENTS = Integer.MAX_VALUE;

  private Shapes() {}

  /**
   * Number of elements of a concrete shape.
   *
   * @throws IllegalArgumentException for a negative dimension or a product above {@link
   *     #MAX_ELEMENTS}
   */
  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException(
            "negative dimension " + d + " in shape " + Arrays.toString(shape));
      }
      if (d != 0 && n > MAX_ELEMENTS / d) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(shape) + " has too many elements");
      }
      n *= d;
    }
    return n;
  }

  /** Elements per row of dimension 0 (the product of the remaining dimensions). */
  public static long rowElements(long[] shape) {
    if (shape.length == 0) {
      throw new IllegalArgumentException("a scalar has no rows");
    }
    return elementCount(Arrays.copyOfRange(shape, 1, shape.length));
  }

  /** Copy of {@code shape} with dimension 0 replaced. */
  public static long[] withBatch(long[] shape, long batch) {
    long[] s = shape.clone();
    s[0] = batch;
    return s;
  }

  /**
   * True when a concrete shape matches a declared one, where -1 in the declaration matches any
   * size.
   */
  public static boolean matches(long[] declared, long[] actual) {
    if (declared.length != actual.length) {
      return false;
    }
    for (int i = 0; i < declared.length; i++) {
      if (declared[i] != -1 && declared[i] != actual[i]) {
        return false;
      }
    }
    return true;
  }

  public static String toString(long[] shape) {
    return Arrays.toString(shape);
  }
}
