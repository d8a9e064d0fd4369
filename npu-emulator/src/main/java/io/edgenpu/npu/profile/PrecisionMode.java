package io.edgenpu.npu.profile;

/**
 * Arithmetic modes of the NPU (docs/papers/nawq-sr.md): 8-bit activations and weights, 16-bit
 * activations with 8-bit weights, FP16.
 */
public enum PrecisionMode {
  A8W8,
  A16W8,
  FP16
}
