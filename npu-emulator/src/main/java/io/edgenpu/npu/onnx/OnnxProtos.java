package io.edgenpu.npu.onnx;

import com.google.protobuf.ByteString;
import io.edgenpu.npu.onnx.proto.OnnxProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builders for the ONNX messages that graph-writing code needs again and again. Stateless. */
public final class OnnxProtos {
  private OnnxProtos() {}

  /**
   * A tensor's name, element type and shape; each dimension is a number or, as a String, a symbolic
   * name (e.g. "N" for a batch dimension).
   */
  public static OnnxProto.ValueInfoProto tensorInfo(String name, int elemType, Object... dims) {
    OnnxProto.TensorShapeProto.Builder shape = OnnxProto.TensorShapeProto.newBuilder();
    for (Object d : dims) {
      OnnxProto.TensorShapeProto.Dimension.Builder dim =
          OnnxProto.TensorShapeProto.Dimension.newBuilder();
      if (d instanceof String s) {
        dim.setDimParam(s);
      } else {
        dim.setDimValue(((Number) d).longValue());
      }
      shape.addDim(dim);
    }
    return OnnxProto.ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            OnnxProto.TypeProto.newBuilder()
                .setTensorType(
                    OnnxProto.TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape)))
        .build();
  }

  /** A FLOAT tensor in little-endian raw data, with the given dimensions (none: as given). */
  public static OnnxProto.TensorProto floats(String name, float[] v, long... dims) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    OnnxProto.TensorProto.Builder t =
        OnnxProto.TensorProto.newBuilder()
            .setName(name)
            .setDataType(OnnxProto.TensorProto.DataType.FLOAT_VALUE)
            .setRawData(ByteString.copyFrom(b.array()));
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }
}
