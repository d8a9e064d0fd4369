package io.edgenpu.service.backend;

import io.edgenpu.api.tensor.Tensor;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The tensors of one sample as it moves through a model (the scheduler's opaque {@code
 * Sample.state()}): its inputs (batch dimension 1), its activation between early-exit stages, and
 * finally its outputs. Owned by the accelerator while a stage runs; by the gateway once the sample
 * has exited.
 */
public final class SampleState {
  private final Map<String, Tensor> inputs;
  private final double exitThreshold;
  private final @Nullable DeviceProgram program;
  private @Nullable Tensor activation;
  private @Nullable Map<String, Tensor> outputs;
  private int exitIndex = -1;

  /**
   * @param inputs one tensor per model input, each with batch dimension 1
   * @param exitThreshold per-request confidence threshold override for early exits; NaN = the
   *     model's own
   */
  public SampleState(Map<String, Tensor> inputs, double exitThreshold) {
    this.inputs = Map.copyOf(inputs);
    this.exitThreshold = exitThreshold;
    this.program = null;
  }

  /** A sample that is its own computation (no graph inputs). */
  public SampleState(DeviceProgram program) {
    this.inputs = Map.of();
    this.exitThreshold = Double.NaN;
    this.program = Objects.requireNonNull(program);
  }

  /** The sample's own computation, or null when it is a row of the model's graph. */
  public @Nullable DeviceProgram program() {
    return program;
  }

  public Map<String, Tensor> inputs() {
    return inputs;
  }

  public double exitThreshold() {
    return exitThreshold;
  }

  public @Nullable Tensor activation() {
    return activation;
  }

  void setActivation(Tensor activation) {
    this.activation = activation;
  }

  /** The sample's outputs (batch dimension 1) once it has exited; null before. */
  public @Nullable Map<String, Tensor> outputs() {
    return outputs;
  }

  void setOutputs(Map<String, Tensor> outputs, int exitIndex) {
    this.outputs = Map.copyOf(outputs);
    this.exitIndex = exitIndex;
    this.activation = null;
  }

  /**
   * Index of the exit the sample took (0-based over the model's exits), -1 before it exits or for
   * plain models.
   */
  public int exitIndex() {
    return exitIndex;
  }

  public boolean hasOutputs() {
    return outputs != null;
  }
}
