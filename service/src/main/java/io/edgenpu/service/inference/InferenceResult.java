package io.edgenpu.service.inference;

import java.util.List;
import java.util.Map;

/**
 * A successful answer: the model and version that served it, the echoed id, outputs and response
 * parameters.
 */
public record InferenceResult(
    String model,
    String version,
    String id,
    List<NamedTensor> outputs,
    Map<String, Object> parameters) {
  public InferenceResult {
    outputs = List.copyOf(outputs);
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
  }
}
