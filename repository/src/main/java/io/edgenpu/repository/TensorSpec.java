package io.edgenpu.repository;

import io.edgenpu.api.tensor.DataType;
import java.util.Arrays;

/**
 * A model input or output as clients see it: name, datatype and the shape of one sample (without
 * the batch dimension; -1 = any size). The wire shape of a batched model is {@code [-1] + shape}.
 * Immutable.
 */
public record TensorSpec(String name, DataType dataType, long[] shape) {
  public TensorSpec {
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Shape as published in metadata: the batch dimension (-1) first. */
  public long[] batchedShape() {
    long[] s = new long[shape.length + 1];
    s[0] = -1;
    System.arraycopy(shape, 0, s, 1, shape.length);
    return s;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t
        && t.name.equals(name)
        && t.dataType == dataType
        && Arrays.equals(t.shape, shape);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + ":" + dataType + Arrays.toString(shape);
  }
}
