package io.edgenpu.experiments.fabnet;

import io.edgenpu.experiments.Charts;
import io.edgenpu.experiments.options.OutputFolderOption;
import io.edgenpu.experiments.options.RepositoryOption;
import io.edgenpu.npu.butterfly.ButterflyCostModel;
import io.edgenpu.npu.butterfly.ButterflyNetwork;
import io.edgenpu.npu.butterfly.ButterflyProfiles;
import io.edgenpu.npu.butterfly.ButterflyReferenceTable;
import io.edgenpu.npu.butterfly.FabnetFormulas;
import io.edgenpu.npu.onnx.LayerForms;
import io.edgenpu.npu.onnx.proto.OnnxProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code fabnet}: the FABNet results of {@code docs/results/fabnet}: FLOP/parameter reductions by
 * the authors' formulas and counted from the shipped graphs, the accelerator's reference table, our
 * ListOps models' modelled latency on the accelerator, the equal-budget comparison, CPU latency
 * through ONNX Runtime of FABNet vs the dense Transformer (side by side), one butterfly layer dense
 * vs factored by width, accuracies from the model cards, a summary and charts.
 */
@Command(
    name = "fabnet",
    mixinStandardHelpOptions = true,
    description =
        "FABNet vs the dense Transformer: formulas, accelerator model, CPU latency (ONNX Runtime), accuracy.")
public final class FabnetCommand implements Callable<Integer> {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Mixin OutputFolderOption out;

  @Option(
      names = "--bench-dir",
      defaultValue = "models/bench",
      description = "folder of fabnet-L<n>.onnx / transformer-L<n>.onnx")
  Path benchDir;

  @Mixin RepositoryOption repository;

  @Option(
      names = "--lengths",
      split = ",",
      defaultValue = "256,512,1024,2048",
      description = "sequence lengths")
  List<Integer> lengths;

  @Option(names = "--batches", split = ",", defaultValue = "1,8", description = "batch sizes")
  List<Integer> batches;

  @Option(names = "--threads", defaultValue = "1", description = "ONNX Runtime intra-op threads")
  int threads;

  @Option(names = "--warmup", defaultValue = "5", description = "warm-up runs per model and cell")
  int warmup;

  @Option(names = "--runs", defaultValue = "30", description = "measured runs per model and cell")
  int runs;

  @Option(
      names = "--skip-cpu",
      description = "only the deterministic tables (no ONNX Runtime timing)")
  boolean skipCpu;

  @Override
  public Integer call() throws Exception {
    out.create();
    Files.writeString(out.resolve("flops-params.csv"), FabnetTables.flopsAndParamsCsv());
    Files.writeString(
        out.resolve("accelerator-reference.csv"), FabnetTables.acceleratorReferenceCsv());
    Files.writeString(
        out.resolve("accelerator-listops.csv"),
        FabnetTables.acceleratorListOpsCsv(lengths, batches));
    Files.writeString(
        out.resolve("equal-budget.csv"),
        FabnetTables.equalBudgetCsv(FabnetTables.EQUAL_BUDGET_LENGTHS));
    Files.writeString(
        out.resolve("graph-cost.csv"),
        GraphCostTable.csv(
            repository.path(),
            Map.of(
                "fabnet", Long.parseLong(metric("fabnet", "parameters")),
                "transformer", Long.parseLong(metric("transformer", "parameters")))));
    System.err.println("wrote the formula, graph-cost and accelerator tables");
    List<String> summary = new ArrayList<>();
    summary.add("metric,value,unit,reference");
    for (int i = 0; i < FabnetFormulas.LRA.size(); i++) {
      FabnetFormulas.Task t = FabnetFormulas.LRA.get(i);
      summary.add(
          "flop_reduction_"
              + t.name()
              + ","
              + FabnetTables.f(FabnetFormulas.flopReduction(t), 1)
              + ",x,"
              + FabnetTables.f(FabnetTables.SPEC_FLOP_REDUCTION[i], 1));
      summary.add(
          "param_reduction_"
              + t.name()
              + ","
              + FabnetTables.f(FabnetFormulas.paramReduction(t), 1)
              + ",x,"
              + FabnetTables.f(FabnetTables.SPEC_PARAM_REDUCTION[i], 1));
    }
    double worst = 0;
    for (ButterflyReferenceTable.Entry e : ButterflyReferenceTable.ENTRIES) {
      double ms = e.modelledMillis(ButterflyCostModel.Mode.LEGACY_SEQUENCE_PASS);
      worst = Math.max(worst, Math.abs(ms - e.millis()) / e.millis() * 100);
    }
    summary.add("accelerator_reference_worst_error," + FabnetTables.f(worst, 2) + ",%,<=1");
    for (String kind : List.of("fabnet", "transformer")) {
      summary.add(
          "listops_test_accuracy_"
              + kind
              + ","
              + metric(kind, "onnx_test_accuracy")
              + ",fraction,model card");
      summary.add(
          "formula_flops_"
              + kind
              + "_listops256,"
              + metric(kind, "formula_flops")
              + ",FLOPs,model card");
      summary.add(
          "listops_seed_mean_accuracy_"
              + kind
              + ","
              + metric(kind, "seed_mean_test_accuracy")
              + ",fraction,paper 0.374 (FABNet) / 0.373 (Transformer) at LRA lengths");
      summary.add(
          "listops_seed_ci95_half_width_"
              + kind
              + ","
              + metric(kind, "seed_ci95_half_width")
              + ",fraction,Student-t over the seeds");
    }
    for (String row : FabnetTables.equalBudgetCsv(List.of(128, 1024)).lines().skip(1).toList()) {
      String[] c = row.split(",", -1);
      if (c[1].equals("listops")) {
        continue;
      }
      summary.add(
          "equal_budget_speedup_"
              + c[0]
              + "_"
              + c[1]
              + "_L"
              + c[2]
              + ","
              + c[9]
              + ",x,paper 14.2-23.2 over prior accelerators at equal compute");
    }
    summary.add(
        "listops_majority_class,"
            + metric("fabnet", "majority_class_accuracy")
            + ",fraction,model card");
    for (String profile : ButterflyProfiles.PRESETS) {
      ButterflyCostModel m = new ButterflyCostModel(ButterflyProfiles.preset(profile));
      for (int b : batches) {
        double fab = FabnetTables.modelledMicros(m, ButterflyNetwork.fabnet(256, 64, 128, 2), b);
        double dense =
            FabnetTables.modelledMicros(m, ButterflyNetwork.transformer(256, 64, 128, 2, 2), b);
        summary.add(
            "served_fabnet_listops_"
                + profile
                + "_b"
                + b
                + ","
                + FabnetTables.f(fab, 1)
                + ",us,modelled");
        summary.add(
            "served_transformer_listops_"
                + profile
                + "_b"
                + b
                + ","
                + FabnetTables.f(dense, 1)
                + ",us,modelled");
      }
    }
    List<CpuLatencyBench.Result> cpu = skipCpu ? List.of() : measureCpu();
    if (!skipCpu) {
      Files.writeString(
          out.resolve("butterfly-forms.csv"),
          ButterflyFormSweep.csv(new CpuLatencyBench(threads, warmup, runs)));
    }
    for (CpuLatencyBench.Result r : cpu) {
      summary.add(
          "cpu_transformer_over_fabnet_L"
              + r.length()
              + "_b"
              + r.batch()
              + ","
              + FabnetTables.f(r.p50Ms()[2] / r.p50Ms()[0], 2)
              + ",x,goal >1 from L=512 and growing");
      summary.add(
          "cpu_transformer_over_fabnet_stages_graph_L"
              + r.length()
              + "_b"
              + r.batch()
              + ","
              + FabnetTables.f(r.p50Ms()[2] / r.p50Ms()[1], 2)
              + ",x,accelerator-mirroring graph on CPU");
    }
    Files.write(out.resolve("summary.csv"), summary);
    charts(cpu);
    summary.forEach(System.out::println);
    return 0;
  }

  /**
   * Graph order in {@link CpuLatencyBench.Result}: FABNet as served (its butterfly layers in the
   * dense form it is exported with), FABNet as accelerator stages, Transformer; then FABNet with
   * every butterfly layer factored.
   */
  static final String[] GRAPHS = {
    "fabnet-L%d.onnx", "fabnet-stages-L%d.onnx", "transformer-L%d.onnx"
  };

  private static byte[] allFactored(byte[] graph) throws IOException {
    OnnxProto.ModelProto m = OnnxProto.ModelProto.parseFrom(graph);
    Map<String, Boolean> forms = new LinkedHashMap<>();
    for (String f : LayerForms.flags(m)) {
      forms.put(f, true);
    }
    if (forms.isEmpty()) {
      throw new IllegalArgumentException("the FABNet bench graph has no two-form butterfly layers");
    }
    return LayerForms.with(m, forms).toByteArray();
  }

  private List<CpuLatencyBench.Result> measureCpu() throws Exception {
    CpuLatencyBench bench = new CpuLatencyBench(threads, warmup, runs);
    List<CpuLatencyBench.Result> results = new ArrayList<>();
    StringBuilder csv =
        new StringBuilder(
            "length,batch,fabnet_p50_ms,fabnet_p90_ms,fabnet_stages_p50_ms,fabnet_stages_p90_ms,"
                + "transformer_p50_ms,transformer_p90_ms,fabnet_factored_p50_ms,fabnet_factored_p90_ms,"
                + "transformer_over_fabnet,transformer_over_fabnet_stages\n");
    for (int length : lengths) {
      for (int batch : batches) {
        List<byte[]> graphs = new ArrayList<>();
        for (String g : GRAPHS) {
          Path p = benchDir.resolve(String.format(g, length));
          if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(
                "missing " + p + " (python models/training/listops.py bench)");
          }
          graphs.add(Files.readAllBytes(p));
        }
        graphs.add(allFactored(graphs.get(0)));
        CpuLatencyBench.Result r = bench.measure(graphs, length, batch);
        results.add(r);
        double[] p50 = r.p50Ms();
        System.err.printf(
            "L=%d batch=%d: FABNet %.2f ms (stages graph %.2f ms), Transformer %.2f ms: x%.2f%n",
            length, batch, p50[0], p50[1], p50[2], p50[2] / p50[0]);
        csv.append(length).append(',').append(batch);
        for (int g = 0; g < graphs.size(); g++) {
          csv.append(',')
              .append(FabnetTables.f(p50[g], 3))
              .append(',')
              .append(FabnetTables.f(r.p90Ms()[g], 3));
        }
        csv.append(',')
            .append(FabnetTables.f(p50[2] / p50[0], 2))
            .append(',')
            .append(FabnetTables.f(p50[2] / p50[1], 2))
            .append('\n');
      }
    }
    Files.writeString(out.resolve("cpu-latency.csv"), csv.toString());
    return results;
  }

  private void charts(List<CpuLatencyBench.Result> cpu) throws Exception {
    double[] x = lengths.stream().mapToDouble(Integer::doubleValue).toArray();
    List<Charts.Series> series = new ArrayList<>();
    for (int b : batches) {
      double[] f = new double[x.length];
      double[] t = new double[x.length];
      for (CpuLatencyBench.Result r : cpu) {
        if (r.batch() == b) {
          int i = lengths.indexOf(r.length());
          f[i] = r.p50Ms()[0];
          t[i] = r.p50Ms()[2];
        }
      }
      if (!cpu.isEmpty()) {
        series.add(new Charts.Series("CPU FABNet b" + b, x, f));
        series.add(new Charts.Series("CPU Transformer b" + b, x, t));
      }
      ButterflyCostModel m =
          new ButterflyCostModel(ButterflyProfiles.preset("butterfly-zynq7045-be20"));
      double[] af = new double[x.length];
      double[] at = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        af[i] =
            FabnetTables.modelledMicros(m, ButterflyNetwork.fabnet(lengths.get(i), 64, 128, 2), b)
                / 1e3;
        at[i] =
            FabnetTables.modelledMicros(
                    m, ButterflyNetwork.transformer(lengths.get(i), 64, 128, 2, 2), b)
                / 1e3;
      }
      series.add(new Charts.Series("Zynq accel. FABNet b" + b, x, af));
      series.add(new Charts.Series("Zynq accel. Transformer b" + b, x, at));
    }
    Charts.lines(
        out.resolve("latency-vs-length.png"),
        "ListOps models (d 64, 2 blocks): latency vs sequence length",
        "sequence length L",
        "latency (ms, log)",
        series,
        true,
        false);
  }

  /** A number from a model's eval/metrics.json (written by the training script). */
  private String metric(String kind, String key) throws IOException {
    JsonNode value =
        JSON.readTree(Files.readString(repository.resolve(kind + "-listops/eval/metrics.json")))
            .path(key);
    if (!value.isNumber()) {
      throw new IllegalArgumentException(
          key + " missing from " + kind + "-listops/eval/metrics.json");
    }
    return value.asString();
  }
}
