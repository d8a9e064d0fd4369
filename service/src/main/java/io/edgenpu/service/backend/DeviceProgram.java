package io.edgenpu.service.backend;

import io.edgenpu.api.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * A sample's own computation, for models whose samples are not rows of one ONNX graph (the tiles of
 * an image in the NPU's integer arithmetic): the device runs it instead of a graph and charges its
 * modelled time. Blocking; called off the event loops, once.
 */
public interface DeviceProgram {
  /** Computes the sample's outputs. */
  Map<String, Tensor> run();

  /** The emulated NPU time of this sample alone, nanoseconds. */
  double modelledNanos();

  /** The precision it runs in, one of {@link #PRECISIONS} (the NPU's time-share meter). */
  String precision();

  /**
   * All-8-bit, all-16-bit, mixed per layer, or 16-bit with ranges estimated on the sample (dynamic
   * range estimation).
   */
  List<String> PRECISIONS = List.of("a8w8", "a16w8", "hybrid", "dre");
}
