package io.edgenpu.npu.onnx;

import io.edgenpu.npu.onnx.proto.OnnxProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Graphs that carry two forms of a layer (decision 0021): an {@code If} node whose condition is a
 * scalar BOOL initializer named {@code <layer>.factored}; its then-branch is the factored form, its
 * else-branch the dense one. ONNX Runtime inlines the chosen branch when it loads the graph, so the
 * choice costs nothing at run time. This class finds the flags, sets them, inlines the branches for
 * tools that read graphs ({@link #inline}), and chooses per layer by timing ({@link #choose}).
 * Stateless; protobuf messages are immutable.
 */
public final class LayerForms {
  /** Suffix of a layer-form flag's initializer name. */
  public static final String SUFFIX = ".factored";

  /** How a graph's layer forms are set when it is loaded. */
  public enum Policy {
    /** Time each layer's two forms in the whole graph and keep the faster (greedy, layer order). */
    AUTO,
    /** Every layer dense (multiplied out). */
    DENSE,
    /** Every layer factored. */
    FACTORED
  }

  /** Milliseconds one run of a serialized graph takes (the caller's measurement). */
  @FunctionalInterface
  public interface GraphTimer {
    double millis(byte[] model) throws Exception;
  }

  /**
   * The chosen forms (flag name to factored?) and the timings behind them.
   *
   * @param millis per flag, {dense ms, factored ms} as measured when that flag was tried; empty
   *     unless the policy is AUTO
   */
  public record Choice(Map<String, Boolean> forms, Map<String, double[]> millis) {}

  private LayerForms() {}

  /** Names of the layer-form flags of {@code model}, in graph order. */
  public static List<String> flags(OnnxProto.ModelProto model) {
    Set<String> bools = new HashSet<>();
    for (OnnxProto.TensorProto t : model.getGraph().getInitializerList()) {
      if (t.getName().endsWith(SUFFIX)
          && t.getDataType() == OnnxProto.TensorProto.DataType.BOOL_VALUE
          && t.getDimsCount() == 0) {
        bools.add(t.getName());
      }
    }
    List<String> out = new ArrayList<>();
    for (OnnxProto.NodeProto n : model.getGraph().getNodeList()) {
      if (n.getOpType().equals("If") && bools.contains(n.getInput(0))) {
        out.add(n.getInput(0));
      }
    }
    return out;
  }

  /** {@code model} with the given flags set (others unchanged). */
  public static OnnxProto.ModelProto with(OnnxProto.ModelProto model, Map<String, Boolean> forms) {
    OnnxProto.GraphProto.Builder g = model.getGraph().toBuilder();
    for (int i = 0; i < g.getInitializerCount(); i++) {
      Boolean v = forms.get(g.getInitializer(i).getName());
      if (v != null) {
        g.setInitializer(
            i,
            g.getInitializer(i).toBuilder()
                .clearRawData()
                .clearInt32Data()
                .addInt32Data(v ? 1 : 0)
                .build());
      }
    }
    return model.toBuilder().setGraph(g).build();
  }

  /** The current value of every flag. */
  public static Map<String, Boolean> current(OnnxProto.ModelProto model) {
    List<String> flags = flags(model);
    Map<String, Boolean> out = new LinkedHashMap<>();
    for (OnnxProto.TensorProto t : model.getGraph().getInitializerList()) {
      if (flags.contains(t.getName())) {
        long[] v = OnnxModel.longs(t);
        out.put(t.getName(), v != null && v.length == 1 && v[0] != 0);
      }
    }
    return out;
  }

  /**
   * {@code model} with every flagged {@code If} replaced by the nodes of the branch its flag
   * selects (the branch's output renamed by an Identity), as ONNX Runtime would run it.
   */
  public static OnnxProto.ModelProto inline(OnnxProto.ModelProto model) {
    Map<String, Boolean> values = current(model);
    OnnxProto.GraphProto.Builder g = model.getGraph().toBuilder().clearNode();
    for (OnnxProto.NodeProto n : model.getGraph().getNodeList()) {
      Boolean factored = n.getOpType().equals("If") ? values.get(n.getInput(0)) : null;
      if (factored == null) {
        g.addNode(n);
        continue;
      }
      OnnxProto.AttributeProto branch =
          OnnxModel.attribute(n, factored ? "then_branch" : "else_branch");
      if (branch == null || !branch.hasG()) {
        throw new IllegalArgumentException("If node without its branches: " + n.getName());
      }
      g.addAllNode(branch.getG().getNodeList());
      g.addNode(
          OnnxProto.NodeProto.newBuilder()
              .setOpType("Identity")
              .addInput(branch.getG().getOutput(0).getName())
              .addOutput(n.getOutput(0)));
    }
    return model.toBuilder().setGraph(g).build();
  }

  /**
   * Sets the forms by {@code policy}. AUTO starts from all dense and, layer by layer, keeps the
   * factored form where the whole graph runs faster with it (by the median {@code timer} gives), so
   * each decision is made in the context of the layers around it.
   */
  public static Choice choose(OnnxProto.ModelProto model, Policy policy, GraphTimer timer)
      throws Exception {
    Map<String, Boolean> forms = new LinkedHashMap<>();
    for (String f : flags(model)) {
      forms.put(f, policy == Policy.FACTORED);
    }
    Map<String, double[]> millis = new LinkedHashMap<>();
    if (policy != Policy.AUTO || forms.isEmpty()) {
      return new Choice(forms, millis);
    }
    double best = timer.millis(with(model, forms).toByteArray());
    for (String f : List.copyOf(forms.keySet())) {
      forms.put(f, true);
      double factored = timer.millis(with(model, forms).toByteArray());
      millis.put(f, new double[] {best, factored});
      if (factored < best) {
        best = factored;
      } else {
        forms.put(f, false);
      }
    }
    return new Choice(forms, millis);
  }
}
