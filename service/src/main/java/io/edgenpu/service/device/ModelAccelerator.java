package io.edgenpu.service.device;

import io.edgenpu.scheduler.core.Accelerator;
import io.edgenpu.scheduler.core.LatencyOracle;
import io.edgenpu.service.backend.ModelInstance;

/**
 * A device backend that serves several loaded models: the scheduler SPI plus model registration.
 * Thread-safe.
 */
public interface ModelAccelerator extends Accelerator {
  /**
   * Makes a model runnable on this device (builds its cost tables where the device has a cost
   * model).
   */
  void add(ModelInstance model);

  void remove(String modelKey);

  /** A fresh latency oracle for the model's scheduler lane. */
  LatencyOracle oracleFor(ModelInstance model);

  /** Device time spent executing, nanoseconds since start (for utilisation). */
  long busyNanos();
}
