package io.edgenpu.service.rest;

import io.edgenpu.npu.cost.FluidTable;
import io.edgenpu.npu.cost.LayerCost;
import io.edgenpu.npu.workload.Layer;
import io.edgenpu.service.device.EmulatedNpuAccelerator;
import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.Status;
import io.edgenpu.service.repository.ModelRepository;
import io.edgenpu.service.repository.ModelVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /v2/models/{m}[/versions/{v}]/npu?batch=B}: the per-layer trace of what the emulated
 * NPU does with each stage of a model at batch size B (default 1): the layout it picks per layer
 * (⟨B_R, B_P, k⟩), cycles, latency, MAC utilisation, compute or memory bound, and per stage the
 * total, the utilisation and the dominant stacking factor. The same numbers pace the device. 400
 * for a model on another device or a batch outside 1..max-batch-size.
 */
final class NpuTraceHandler {
  private final ModelRepository repository;
  private final RestResponses responses;

  NpuTraceHandler(ModelRepository repository, JsonMapper mapper) {
    this.repository = repository;
    this.responses = new RestResponses(mapper);
  }

  Mono<ServerResponse> trace(ServerRequest req) {
    try {
      String name = req.pathVariable("model");
      ModelVersion v = repository.resolve(name, req.pathVariables().getOrDefault("version", ""));
      if (!(v.device().accelerator() instanceof EmulatedNpuAccelerator npu)) {
        throw InferenceException.invalid(
            "model '"
                + name
                + "' runs on device '"
                + v.device().name()
                + "', not the emulated NPU");
      }
      FluidTable table = npu.table(v.instance().key());
      if (table == null) {
        throw new InferenceException(
            Status.UNAVAILABLE, "model '" + name + "' is not (or no longer) on the emulated NPU");
      }
      int max = v.instance().config().maxBatchSize();
      int batch = parseBatch(req.queryParam("batch").orElse("1"), max);
      List<Map<String, Object>> stages = new ArrayList<>();
      for (int s = 0; s < table.workload().stageCount(); s++) {
        List<Layer> layers = table.workload().stages().get(s).allLayers();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < table.layerCount(s); i++) {
          LayerCost c = table.layer(s, i, batch);
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("name", layers.get(i).name());
          row.put("op", layers.get(i).opType());
          row.put("layout", c.layout() == null ? null : c.layout().toString());
          row.put("cycles", Math.round(c.cycles()));
          row.put("latency_us", round(c.nanos() / 1e3));
          row.put("mac_utilization", round(c.macUtilization()));
          row.put("memory_bound", c.memoryBound());
          rows.add(row);
        }
        Map<String, Object> stage = new LinkedHashMap<>();
        stage.put("stage", s);
        stage.put("latency_us", round(table.stageNanos(s, batch) / 1e3));
        stage.put("mac_utilization", round(table.stageUtilization(s, batch)));
        stage.put("stacking", table.dominantStacking(s, batch));
        stage.put("layers", rows);
        stages.add(stage);
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("model_name", name);
      out.put("model_version", Long.toString(v.version()));
      out.put("device", v.device().name());
      out.put("profile", npu.profile().name());
      out.put("batch", batch);
      out.put("stages", stages);
      return responses.ok(out);
    } catch (InferenceException e) {
      return responses.error(e);
    }
  }

  private static int parseBatch(String s, int max) {
    try {
      int b = Integer.parseInt(s);
      if (b >= 1 && b <= max) {
        return b;
      }
    } catch (NumberFormatException e) {
      // fall through to the error below
    }
    throw InferenceException.invalid("batch must be an integer in 1.." + max + ", got '" + s + "'");
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
