package io.edgenpu.npu.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.npu.onnx.proto.OnnxProto;
import io.edgenpu.npu.onnx.proto.OnnxProto.AttributeProto;
import io.edgenpu.npu.onnx.proto.OnnxProto.GraphProto;
import io.edgenpu.npu.onnx.proto.OnnxProto.NodeProto;
import io.edgenpu.npu.onnx.proto.OnnxProto.TensorProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayerFormsTest {
  /** x -> If(a.factored){Neg}{Abs} -> If(b.factored){Neg}{Abs} -> y; plus an unrelated bool. */
  private static OnnxProto.ModelProto twoLayers() {
    GraphProto.Builder g = GraphProto.newBuilder();
    String in = "x";
    for (String layer : List.of("a", "b")) {
      g.addNode(
          NodeProto.newBuilder()
              .setOpType("If")
              .addInput(layer + LayerForms.SUFFIX)
              .addOutput(layer + "_y")
              .addAttribute(branch("then_branch", "Neg", in, layer + "_f"))
              .addAttribute(branch("else_branch", "Abs", in, layer + "_d")));
      g.addInitializer(bool(layer + LayerForms.SUFFIX, false));
      in = layer + "_y";
    }
    g.addInitializer(bool("unrelated.factored", true));
    return OnnxProto.ModelProto.newBuilder().setGraph(g).build();
  }

  private static AttributeProto branch(String name, String op, String in, String out) {
    GraphProto sub =
        GraphProto.newBuilder()
            .addNode(NodeProto.newBuilder().setOpType(op).addInput(in).addOutput(out))
            .addOutput(OnnxProto.ValueInfoProto.newBuilder().setName(out))
            .build();
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.GRAPH)
        .setG(sub)
        .build();
  }

  private static TensorProto bool(String name, boolean v) {
    return TensorProto.newBuilder()
        .setName(name)
        .setDataType(TensorProto.DataType.BOOL_VALUE)
        .addInt32Data(v ? 1 : 0)
        .build();
  }

  @Test
  void findsOnlyFlagsThatDriveAnIf() {
    assertThat(LayerForms.flags(twoLayers())).containsExactly("a.factored", "b.factored");
  }

  @Test
  void setsFlagsAndInlinesTheChosenBranches() {
    OnnxProto.ModelProto m = LayerForms.with(twoLayers(), Map.of("b.factored", true));
    assertThat(LayerForms.current(m))
        .containsEntry("a.factored", false)
        .containsEntry("b.factored", true);
    List<String> ops = new ArrayList<>();
    for (NodeProto n : LayerForms.inline(m).getGraph().getNodeList()) {
      ops.add(n.getOpType());
    }
    assertThat(ops).containsExactly("Abs", "Identity", "Neg", "Identity");
  }

  @Test
  void autoKeepsTheFactoredFormOnlyWhereTheGraphGetsFaster() throws Exception {
    // A fake timer: the factored form of a saves 1 ms, that of b costs 2 ms more.
    LayerForms.GraphTimer timer =
        bytes -> {
          Map<String, Boolean> f = LayerForms.current(OnnxProto.ModelProto.parseFrom(bytes));
          return 10.0
              + (Boolean.TRUE.equals(f.get("a.factored")) ? -1 : 0)
              + (Boolean.TRUE.equals(f.get("b.factored")) ? 2 : 0);
        };
    LayerForms.Choice c = LayerForms.choose(twoLayers(), LayerForms.Policy.AUTO, timer);
    assertThat(c.forms())
        .containsExactly(Map.entry("a.factored", true), Map.entry("b.factored", false));
    assertThat(c.millis().get("a.factored")).containsExactly(10.0, 9.0);
    assertThat(c.millis().get("b.factored")).containsExactly(9.0, 11.0);
    assertThat(LayerForms.choose(twoLayers(), LayerForms.Policy.FACTORED, timer).forms())
        .containsOnly(Map.entry("a.factored", true), Map.entry("b.factored", true));
  }
}
