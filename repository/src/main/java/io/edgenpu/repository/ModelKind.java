package io.edgenpu.repository;

/** What a model repository entry holds. */
public enum ModelKind {
  /** One ONNX graph. */
  PLAIN,
  /** Ordered stage graphs with exit heads after some stages (early-exit network). */
  EARLY_EXIT,
  /**
   * One super-resolution ONNX graph of Conv/Relu/Add/DepthToSpace/Clip served in the NPU's 8/16-bit
   * integer arithmetic (NAWQ-SR): 8-bit images in and out, each image cut into tiles that are the
   * scheduler's samples.
   */
  NAWQ_SR
}
