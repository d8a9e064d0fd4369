package io.edgenpu.service.inference;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A decoded inference request, protocol-independent. {@code outputs} empty means "all outputs".
 * {@code parameters} values are String, Long, Double or Boolean.
 *
 * @param deadlineNanos absolute deadline on the server's monotonic clock from the transport (e.g.
 *     the gRPC deadline), or 0 when the transport gave none
 */
public record InferenceRequest(
    String model,
    String version,
    @Nullable String id,
    List<NamedTensor> inputs,
    List<RequestedOutput> outputs,
    Map<String, Object> parameters,
    long deadlineNanos) {
  public InferenceRequest {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    parameters = Map.copyOf(parameters);
  }
}
