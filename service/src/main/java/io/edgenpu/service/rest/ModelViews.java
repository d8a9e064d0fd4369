package io.edgenpu.service.rest;

import io.edgenpu.repository.TensorSpec;
import io.edgenpu.service.backend.ModelInstance;
import io.edgenpu.service.config.ServerState;
import io.edgenpu.service.inference.ModelStats;
import io.edgenpu.service.repository.ModelEntry;
import io.edgenpu.service.repository.ModelVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * JSON views of server and model metadata, statistics and the repository index, shaped as the OIP
 * and Triton's extensions define them. Plain maps, serialised by Jackson.
 */
final class ModelViews {
  static final List<String> EXTENSIONS =
      List.of(
          "binary_tensor_data",
          "model_repository",
          "statistics",
          "schedule_policy",
          "early_exit",
          "model_configuration");

  private ModelViews() {}

  static Map<String, Object> server() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", ServerState.NAME);
    m.put("version", ServerState.VERSION);
    m.put("extensions", EXTENSIONS);
    return m;
  }

  static String platform(ModelInstance m) {
    return m.config().isEarlyExit() ? "edgenpu_early_exit" : "onnxruntime_onnx";
  }

  static Map<String, Object> metadata(ModelEntry entry, ModelVersion served) {
    ModelInstance m = served.instance();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", entry.name());
    List<String> versions = new ArrayList<>();
    for (Long v : entry.versions().keySet()) {
      versions.add(Long.toString(v));
    }
    out.put("versions", versions);
    out.put("platform", platform(m));
    out.put("inputs", tensors(m.inputs()));
    out.put("outputs", tensors(m.outputs()));
    return out;
  }

  private static List<Map<String, Object>> tensors(List<TensorSpec> specs) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (TensorSpec s : specs) {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("name", s.name());
      t.put("datatype", s.dataType().wireName());
      t.put("shape", s.batchedShape());
      out.add(t);
    }
    return out;
  }

  static Map<String, Object> stats(String name, ModelVersion v) {
    ModelStats s = v.stats();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", name);
    out.put("version", Long.toString(v.version()));
    out.put("last_inference", s.lastInferenceMillis());
    out.put("inference_count", s.inferenceCount());
    out.put("execution_count", s.executionCount());
    Map<String, Object> inf = new LinkedHashMap<>();
    inf.put("success", duration(s.success));
    inf.put("fail", duration(s.fail));
    inf.put("queue", duration(s.queue));
    inf.put("compute_input", duration(s.computeInput));
    inf.put("compute_infer", duration(s.computeInfer));
    inf.put("compute_output", duration(s.computeOutput));
    out.put("inference_stats", inf);
    List<Map<String, Object>> batches = new ArrayList<>();
    for (Map.Entry<Integer, ModelStats.BatchStats> e : s.batchStats().entrySet()) {
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("batch_size", e.getKey());
      b.put("compute_input", Map.of("count", e.getValue().computeInfer.count(), "ns", 0));
      b.put("compute_infer", duration(e.getValue().computeInfer));
      b.put("compute_output", Map.of("count", e.getValue().computeInfer.count(), "ns", 0));
      batches.add(b);
    }
    out.put("batch_stats", batches);
    return out;
  }

  private static Map<String, Object> duration(ModelStats.Duration d) {
    return Map.of("count", d.count(), "ns", d.nanos());
  }

  static Map<String, Object> indexEntry(
      String name, @Nullable String version, String state, String reason) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    if (version != null) {
      m.put("version", version);
    }
    m.put("state", state);
    m.put("reason", reason);
    return m;
  }
}
