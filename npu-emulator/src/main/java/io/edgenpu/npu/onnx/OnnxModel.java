package io.edgenpu.npu.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.edgenpu.npu.onnx.proto.OnnxProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A parsed ONNX model: its graph's nodes, initializers (weights) and declared inputs/outputs.
 * Read-only after construction; safe to share between threads.
 */
public final class OnnxModel {
  private final String name;
  private final OnnxProto.GraphProto graph;
  private final Map<String, OnnxProto.TensorProto> initializers;
  private final List<OnnxProto.ValueInfoProto> inputs;
  private final Map<String, String> metadata;

  private OnnxModel(String name, OnnxProto.ModelProto model) {
    this.name = name;
    this.graph = model.getGraph();
    Map<String, String> props = new LinkedHashMap<>();
    for (OnnxProto.StringStringEntryProto e : model.getMetadataPropsList()) {
      props.put(e.getKey(), e.getValue());
    }
    this.metadata = Collections.unmodifiableMap(props);
    Map<String, OnnxProto.TensorProto> init = new LinkedHashMap<>();
    for (OnnxProto.TensorProto t : graph.getInitializerList()) {
      init.put(t.getName(), t);
    }
    this.initializers = Collections.unmodifiableMap(init);
    List<OnnxProto.ValueInfoProto> in = new ArrayList<>();
    for (OnnxProto.ValueInfoProto v : graph.getInputList()) {
      if (!init.containsKey(v.getName())) {
        in.add(v);
      }
    }
    this.inputs = Collections.unmodifiableList(in);
  }

  public static OnnxModel read(Path path) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      return new OnnxModel(path.getFileName().toString(), OnnxProto.ModelProto.parseFrom(in));
    } catch (InvalidProtocolBufferException e) {
      throw new IOException(path + " is not a valid ONNX model: " + e.getMessage(), e);
    }
  }

  public static OnnxModel parse(String name, byte[] bytes) throws IOException {
    return new OnnxModel(name, OnnxProto.ModelProto.parseFrom(bytes));
  }

  public String name() {
    return name;
  }

  /** The model's {@code metadata_props} (key to value; empty when it has none). */
  public Map<String, String> metadata() {
    return metadata;
  }

  public OnnxProto.GraphProto graph() {
    return graph;
  }

  public List<OnnxProto.NodeProto> nodes() {
    return graph.getNodeList();
  }

  /** Graph inputs that are not initializers (the real runtime inputs). */
  public List<OnnxProto.ValueInfoProto> inputs() {
    return inputs;
  }

  public List<OnnxProto.ValueInfoProto> outputs() {
    return graph.getOutputList();
  }

  public Map<String, OnnxProto.TensorProto> initializers() {
    return initializers;
  }

  public boolean isInitializer(String name) {
    return initializers.containsKey(name);
  }

  /** Declared shape of a value info; symbolic or missing dimensions are -1. */
  public static long @Nullable [] declaredShape(OnnxProto.ValueInfoProto v) {
    if (!v.hasType() || !v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) {
      return null;
    }
    List<OnnxProto.TensorShapeProto.Dimension> dims =
        v.getType().getTensorType().getShape().getDimList();
    long[] s = new long[dims.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = dims.get(i).hasDimValue() ? dims.get(i).getDimValue() : -1;
    }
    return s;
  }

  public static long[] dims(OnnxProto.TensorProto t) {
    long[] d = new long[t.getDimsCount()];
    for (int i = 0; i < d.length; i++) {
      d[i] = t.getDims(i);
    }
    return d;
  }

  /** Elements of a float tensor (raw_data or float_data). */
  public static float[] floats(OnnxProto.TensorProto t) {
    if (t.getDataType() != OnnxProto.TensorProto.DataType.FLOAT_VALUE) {
      throw new IllegalArgumentException("tensor " + t.getName() + " is not FLOAT");
    }
    if (t.hasRawData()) {
      ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      float[] out = new float[b.remaining() / 4];
      b.asFloatBuffer().get(out);
      return out;
    }
    float[] out = new float[t.getFloatDataCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = t.getFloatData(i);
    }
    return out;
  }

  /**
   * Elements of an integer tensor (INT64, INT32, INT8, UINT8, BOOL) widened to long; null for other
   * types.
   */
  public static long @Nullable [] longs(OnnxProto.TensorProto t) {
    int dt = t.getDataType();
    ByteString raw = t.hasRawData() ? t.getRawData() : null;
    if (dt == OnnxProto.TensorProto.DataType.INT64_VALUE) {
      if (raw != null) {
        ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[b.remaining() / 8];
        b.asLongBuffer().get(out);
        return out;
      }
      long[] out = new long[t.getInt64DataCount()];
      for (int i = 0; i < out.length; i++) {
        out[i] = t.getInt64Data(i);
      }
      return out;
    }
    if (dt == OnnxProto.TensorProto.DataType.INT32_VALUE) {
      if (raw != null) {
        ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[b.remaining() / 4];
        for (int i = 0; i < out.length; i++) {
          out[i] = b.getInt(i * 4);
        }
        return out;
      }
      long[] out = new long[t.getInt32DataCount()];
      for (int i = 0; i < out.length; i++) {
        out[i] = t.getInt32Data(i);
      }
      return out;
    }
    if (dt == OnnxProto.TensorProto.DataType.INT8_VALUE
        || dt == OnnxProto.TensorProto.DataType.UINT8_VALUE
        || dt == OnnxProto.TensorProto.DataType.BOOL_VALUE) {
      boolean unsigned = dt != OnnxProto.TensorProto.DataType.INT8_VALUE;
      if (raw != null) {
        long[] out = new long[raw.size()];
        for (int i = 0; i < out.length; i++) {
          out[i] = unsigned ? (raw.byteAt(i) & 0xFF) : raw.byteAt(i);
        }
        return out;
      }
      long[] out = new long[t.getInt32DataCount()];
      for (int i = 0; i < out.length; i++) {
        out[i] = t.getInt32Data(i);
      }
      return out;
    }
    return null;
  }

  /** Attribute lookup on a node. */
  public static OnnxProto.@Nullable AttributeProto attribute(
      OnnxProto.NodeProto node, String name) {
    for (OnnxProto.AttributeProto a : node.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a;
      }
    }
    return null;
  }

  public static long intAttr(OnnxProto.NodeProto node, String name, long def) {
    OnnxProto.AttributeProto a = attribute(node, name);
    return a == null ? def : a.getI();
  }

  public static float floatAttr(OnnxProto.NodeProto node, String name, float def) {
    OnnxProto.AttributeProto a = attribute(node, name);
    return a == null ? def : a.getF();
  }

  public static long @Nullable [] intsAttr(OnnxProto.NodeProto node, String name) {
    OnnxProto.AttributeProto a = attribute(node, name);
    if (a == null) {
      return null;
    }
    long[] v = new long[a.getIntsCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = a.getInts(i);
    }
    return v;
  }

  public static String stringAttr(OnnxProto.NodeProto node, String name, String def) {
    OnnxProto.AttributeProto a = attribute(node, name);
    return a == null ? def : a.getS().toStringUtf8();
  }
}
