package io.edgenpu.service.backend;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import io.edgenpu.api.tensor.DataType;
import io.edgenpu.api.tensor.Shapes;
import io.edgenpu.api.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Conversions between protocol {@link Tensor}s and ONNX Runtime tensors. Stateless. */
public final class OrtTensors {
  private OrtTensors() {}

  /**
   * The protocol datatype of an ONNX element type; empty for types the protocol has no name for.
   */
  public static Optional<DataType> dataType(TensorInfo.OnnxTensorType t) {
    return Optional.ofNullable(
        switch (t) {
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> DataType.FP32;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> DataType.FP64;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> DataType.FP16;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16 -> DataType.BF16;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> DataType.UINT8;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> DataType.INT8;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 -> DataType.UINT16;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> DataType.INT16;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 -> DataType.UINT32;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> DataType.INT32;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 -> DataType.UINT64;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> DataType.INT64;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> DataType.BOOL;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> DataType.BYTES;
          default -> null;
        });
  }

  /** Whether ONNX Runtime's Java API can create an input tensor of this protocol type. */
  public static boolean canCreate(DataType t) {
    return javaType(t) != null || t == DataType.BYTES;
  }

  private static @Nullable OnnxJavaType javaType(DataType t) {
    return switch (t) {
      case FP32 -> OnnxJavaType.FLOAT;
      case FP64 -> OnnxJavaType.DOUBLE;
      case FP16 -> OnnxJavaType.FLOAT16;
      case BF16 -> OnnxJavaType.BFLOAT16;
      case UINT8 -> OnnxJavaType.UINT8;
      case INT8 -> OnnxJavaType.INT8;
      case INT16 -> OnnxJavaType.INT16;
      case INT32 -> OnnxJavaType.INT32;
      case INT64 -> OnnxJavaType.INT64;
      case BOOL -> OnnxJavaType.BOOL;
      default -> null;
    };
  }

  /**
   * A calling thread's reusable native memory for one run's inputs: ONNX Runtime reads input
   * tensors in place from direct buffers, so the buffer must live until the run returns, and
   * nothing else on the thread may use it meanwhile. Allocating direct memory per run costs more
   * than the copy into it.
   */
  public static final class Arena {
    private ByteBuffer memory;

    private Arena(int bytes) {
      memory = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }

    ByteBuffer take(int bytes) {
      ByteBuffer slice = memory.slice(memory.position(), bytes).order(ByteOrder.nativeOrder());
      memory.position(memory.position() + bytes);
      return slice;
    }
  }

  /** Most bytes an arena keeps between runs; larger inputs get memory of their own. */
  private static final int MAX_ARENA_BYTES = 4 << 20;

  private static final ThreadLocal<Arena> ARENAS = new ThreadLocal<>();

  /** The calling thread's arena, emptied and large enough for these tensors' fixed-size bytes. */
  public static Arena arena(Collection<Tensor> tensors) {
    long total = 0;
    for (Tensor t : tensors) {
      if (t.dataType() != DataType.BYTES) {
        total += t.rawByteSize();
      }
    }
    if (total > MAX_ARENA_BYTES) {
      return new Arena((int) total);
    }
    Arena a = ARENAS.get();
    if (a == null || a.memory.capacity() < total) {
      a = new Arena((int) Math.max(total, 4096));
      ARENAS.set(a);
    }
    a.memory.clear();
    return a;
  }

  /** A tensor of zeros (empty strings for BYTES). */
  public static Tensor zeros(DataType type, long[] shape) {
    if (type == DataType.BYTES) {
      return Tensor.ofBytes(
          shape, Collections.nCopies((int) Shapes.elementCount(shape), new byte[0]));
    }
    long bytes = Shapes.elementCount(shape) * type.byteSize();
    return Tensor.ofRaw(type, shape, ByteBuffer.allocate((int) bytes));
  }

  /** Creates an ONNX Runtime tensor (the caller closes it before the arena is used again). */
  public static OnnxTensor toOrt(OrtEnvironment env, Tensor t, Arena arena) throws OrtException {
    if (t.dataType() == DataType.BYTES) {
      List<byte[]> el = t.bytesElements();
      String[] s = new String[el.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = new String(el.get(i), StandardCharsets.UTF_8);
      }
      return OnnxTensor.createTensor(env, s, t.shape());
    }
    OnnxJavaType jt = javaType(t.dataType());
    if (jt == null) {
      throw new IllegalArgumentException("ONNX Runtime cannot take " + t.dataType() + " inputs");
    }
    ByteBuffer raw = arena.take((int) t.rawByteSize());
    raw.put(t.rawData());
    raw.flip();
    return OnnxTensor.createTensor(env, raw, t.shape(), jt);
  }

  /** Copies an ONNX Runtime output into a protocol tensor. */
  public static Tensor fromOrt(OnnxTensor o) throws OrtException {
    TensorInfo info = o.getInfo();
    DataType dt =
        dataType(info.onnxType)
            .orElseThrow(
                () ->
                    new IllegalStateException("unsupported output element type " + info.onnxType));
    long[] shape = info.getShape();
    if (dt == DataType.BYTES) {
      Object v = o.getValue();
      List<String> flat = new ArrayList<>();
      flatten(v, flat);
      return Tensor.ofStrings(shape, flat);
    }
    ByteBuffer b = o.getByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    return Tensor.ofRaw(dt, shape, b);
  }

  private static void flatten(Object v, List<String> out) {
    if (v instanceof String s) {
      out.add(s);
    } else if (v instanceof Object[] arr) {
      for (Object o : arr) {
        flatten(o, out);
      }
    }
  }
}
