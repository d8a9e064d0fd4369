package io.edgenpu.experiments.fabnet;

import io.edgenpu.npu.butterfly.FabnetFormulas;
import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.onnx.proto.OnnxProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code graph-cost.csv}: the shipped ListOps graphs counted by {@link GraphCost}, beside the
 * figures of the authors' formulas for the same shape (d 64, FFN 128, 2 blocks, L = the graph's
 * length) and the trained parameter count the training script reports. The formulas count the
 * blocks only; the graphs also hold the embeddings, the mask and the classifier head. A two-form
 * graph is counted in the form it ships with (dense butterflies); its stored constants include both
 * forms.
 */
final class GraphCostTable {
  /** Graph files per model, in table order: model, file, what the file is. */
  static final List<String[]> GRAPHS =
      List.of(
          new String[] {"fabnet", "model.onnx", "served"},
          new String[] {"fabnet", "butterfly-stages.onnx", "accelerator stages"},
          new String[] {"transformer", "model.onnx", "served"});

  private GraphCostTable() {}

  /**
   * @param trainedParameters the "parameters" of each model's metrics.json, by model kind
   */
  static String csv(Path repository, Map<String, Long> trainedParameters) throws IOException {
    StringBuilder b =
        new StringBuilder(
            "model,graph,form,length,nodes,top_ops,float_constants,trained_parameters,"
                + "formula_params,matrix_macs,fft_flops,elementwise_outputs,graph_flops,"
                + "formula_flops\n");
    for (String[] g : GRAPHS) {
      Path file = repository.resolve(g[0] + "-listops/1/" + g[1]);
      OnnxModel m = OnnxModel.read(file);
      long[] in = OnnxModel.declaredShape(m.inputs().get(0));
      int length = in == null ? -1 : (int) in[in.length - 1];
      GraphCost c = GraphCost.of(g[1], OnnxProto.ModelProto.parseFrom(Files.readAllBytes(file)));
      if (!c.unsupported().isEmpty()) {
        throw new IllegalStateException(file + ": no shapes for " + c.unsupported());
      }
      boolean fab = g[0].equals("fabnet");
      double formulaFlops =
          fab
              ? FabnetFormulas.fabnetFlops(length, FabnetTables.HIDDEN, FabnetTables.FFN, 2)
              : FabnetFormulas.transformerFlops(length, FabnetTables.HIDDEN, FabnetTables.FFN, 2);
      double formulaParams =
          fab
              ? FabnetFormulas.fabnetParams(length, FabnetTables.HIDDEN, FabnetTables.FFN, 2)
              : FabnetFormulas.transformerParams(FabnetTables.HIDDEN, FabnetTables.FFN, 2);
      b.append(g[0])
          .append("-listops,")
          .append(g[1])
          .append(',')
          .append(g[2])
          .append(',')
          .append(length)
          .append(',')
          .append(c.nodes())
          .append(',')
          .append(c.opSummary(6))
          .append(',')
          .append(c.floatConstants())
          .append(',')
          .append(trainedParameters.getOrDefault(g[0], -1L))
          .append(',')
          .append(FabnetTables.f(formulaParams, 0))
          .append(',')
          .append(c.matrixMacs())
          .append(',')
          .append(c.fftFlops())
          .append(',')
          .append(c.elementwiseOutputs())
          .append(',')
          .append(c.totalFlops())
          .append(',')
          .append(FabnetTables.f(formulaFlops, 0))
          .append('\n');
    }
    return b.toString();
  }
}
