/** ONNX graphs read without ONNX Runtime: protobuf model, shape inference, layer extraction. */
@NullMarked
package io.edgenpu.npu.onnx;

import org.jspecify.annotations.NullMarked;
