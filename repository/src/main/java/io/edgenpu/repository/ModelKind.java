package io.edgenpu.repository;

/** What a model repository entry holds. */
public enum ModelKind {
  /** One ONNX graph. */
  PLAIN,
  /** Ordered stage graphs with exit heads after some stages (early-exit network). */
  EARLY_EXIT
}
