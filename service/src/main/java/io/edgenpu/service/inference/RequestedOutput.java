package io.edgenpu.service.inference;

import java.util.Map;

/** An output the client asked for, with its parameters (e.g. {@code binary_data}). */
public record RequestedOutput(String name, Map<String, Object> parameters) {
  public RequestedOutput {
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
  }
}
