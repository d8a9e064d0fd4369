package io.edgenpu.service.backend;

import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.repository.TensorSpec;
import java.util.List;
import java.util.Map;

/**
 * A validated request as its model kind runs it: the states of its scheduler samples (rows of a
 * graph, or image tiles), and how their outputs become the answer. Made by {@link
 * ModelInstance#prepare}; the gateway reads the answer once every sample has its outputs.
 */
public interface PreparedRequest {
  /** One state per scheduler sample, in order. */
  List<SampleState> samples();

  /** How many inferences the request counts as in statistics (rows, or images). */
  int inferences();

  /** The requested outputs, by name in the order asked, each with the request's batch dimension. */
  Map<String, Tensor> outputs(List<TensorSpec> requested);

  /** Response parameters the model kind adds (empty for most). */
  Map<String, Object> parameters();

  /**
   * Whether assembling the answer is cheap enough to do on the thread that completes the request (a
   * few rows of small tensors); false sends it to the assembly executor.
   */
  boolean cheapToAssemble();
}
