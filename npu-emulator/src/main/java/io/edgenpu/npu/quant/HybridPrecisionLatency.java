package io.edgenpu.npu.quant;

import io.edgenpu.npu.cost.CostModel;
import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.profile.PrecisionMode;
import io.edgenpu.npu.workload.Layer;
import io.edgenpu.npu.workload.WorkloadExtractor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Emulated NPU time of an SR network with a wordlength per convolution: each layer costed by the
 * {@link CostModel} at its precision (A8W8 or A16W8, batch 1, the best layout), memory-bound layers
 * at the precision of the convolution before them, plus a convert node (requantisation of the
 * layer's input, the profile's cycles per element) wherever a convolution reads a tensor produced
 * at the other wordlength. Spatial input size: {@code referenceDim} x {@code referenceDim} (the
 * graph's dynamic dimensions).
 */
public final class HybridPrecisionLatency {
  private HybridPrecisionLatency() {}

  /** Nanoseconds of one image (batch 1) on the modelled hardware. */
  public static double nanos(
      OnnxModel model, SrGraph graph, List<Integer> bits, NpuProfile profile, long referenceDim) {
    List<SrGraph.ConvOp> convs = graph.convs();
    Map<String, Integer> bitsByConv = new HashMap<>();
    Map<String, Integer> tensorBits = new HashMap<>();
    tensorBits.put(graph.input(), bits.get(0));
    for (int i = 0; i < convs.size(); i++) {
      bitsByConv.put(convs.get(i).name(), bits.get(i));
      tensorBits.put(convs.get(i).output(), bits.get(i));
    }
    CostModel cost = new CostModel(profile);
    double total = 0;
    int current = bits.get(0);
    for (Layer layer : WorkloadExtractor.layers(model, referenceDim)) {
      Integer b = bitsByConv.get(layer.name());
      if (b != null) {
        SrGraph.ConvOp conv = convs.get(convIndex(convs, layer.name()));
        int producer = tensorBits.getOrDefault(conv.input(), b);
        if (producer != b) {
          total += profile.cyclesToNanos(profile.convertCyclesPerElement() * layer.inputElements());
        }
        current = b;
      }
      PrecisionMode mode = current == 16 ? PrecisionMode.A16W8 : PrecisionMode.A8W8;
      total += cost.best(layer, 1, mode).nanos();
    }
    return total;
  }

  private static int convIndex(List<SrGraph.ConvOp> convs, String name) {
    for (int i = 0; i < convs.size(); i++) {
      if (convs.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no convolution named " + name);
  }
}
