package io.edgenpu.service.inference;

import io.edgenpu.api.tensor.Tensor;
import java.util.Map;

/** A request input or response output: a name, the tensor, and its protocol parameters. */
public record NamedTensor(String name, Tensor tensor, Map<String, Object> parameters) {
  public NamedTensor {
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
  }

  public NamedTensor(String name, Tensor tensor) {
    this(name, tensor, Map.of());
  }
}
