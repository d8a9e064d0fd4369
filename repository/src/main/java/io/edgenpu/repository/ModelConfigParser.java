package io.edgenpu.repository;

import io.edgenpu.api.tensor.DataType;
import io.edgenpu.config.ConfigException;
import io.edgenpu.config.YamlMap;
import io.edgenpu.npu.butterfly.ButterflyNetwork;
import io.edgenpu.scheduler.policy.BatchPolicies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Parses and validates {@code <repo>/<model>/config.yaml}. Every error is a {@link ConfigException}
 * naming the file, the line and the reason; unknown keys are errors. The format is documented in
 * the README ("Model repository").
 */
public final class ModelConfigParser {
  public static final int MAX_BATCH_LIMIT = 256;

  /** The device name whose models must describe their shape in a {@code butterfly:} section. */
  public static final String BUTTERFLY_DEVICE = "butterfly";

  private ModelConfigParser() {}

  public static ModelConfig parse(Path modelDir, String defaultDevice) throws IOException {
    Path file = modelDir.resolve("config.yaml");
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(file.toString(), 0, 0, "missing config.yaml");
    }
    return parse(modelDir.getFileName().toString(), YamlMap.load(file), modelDir, defaultDevice);
  }

  static ModelConfig parse(String name, YamlMap y, Path modelDir, String defaultDevice) {
    if (!y.has("kind")) {
      throw y.error("kind", "required key 'kind' is missing (plain, early-exit or nawq-sr)");
    }
    ModelKind kind = y.enumValue("kind", ModelKind.class, ModelKind.PLAIN);
    String description = y.string("description", "");
    int maxBatch = y.intValue("max-batch-size", 8);
    if (maxBatch < 1 || maxBatch > MAX_BATCH_LIMIT) {
      throw y.error(
          "max-batch-size", "must be between 1 and " + MAX_BATCH_LIMIT + ", got " + maxBatch);
    }
    String device = y.string("device", defaultDevice);
    ModelConfig.VersionPolicy versions = versionPolicy(y);
    Duration slo = y.duration("slo", Duration.ZERO);
    List<TensorSpec> inputs = tensors(y, "inputs");
    List<TensorSpec> outputs = tensors(y, "outputs");
    String graph = null;
    List<ModelConfig.StageConfig> stages = new ArrayList<>();
    double @Nullable [] prior = null;
    if (kind != ModelKind.EARLY_EXIT) {
      graph = y.string("graph", "model.onnx");
      if (y.has("stages") && !y.mapList("stages").isEmpty()) {
        throw y.error(
            "stages",
            kind.name().toLowerCase(Locale.ROOT).replace('_', '-')
                + " models have no stages (use kind: early-exit)");
      }
      if (y.has("exit-prior")) {
        throw y.error("exit-prior", "only early-exit models have exits");
      }
    } else {
      if (y.has("graph")) {
        throw y.error("graph", "an early-exit model lists its graphs under 'stages'");
      }
      stages = stages(y);
      prior = exitPrior(y, stages);
    }
    ModelConfig.SchedulingConfig scheduling = scheduling(y, kind);
    ButterflyNetwork butterfly = butterfly(y, device);
    ModelConfig.Warmup warmup = warmup(y, maxBatch, modelDir);
    y.finish();
    return new ModelConfig(
        name,
        kind,
        description,
        maxBatch,
        device,
        versions,
        slo,
        inputs,
        outputs,
        graph,
        stages,
        prior,
        scheduling,
        butterfly,
        warmup,
        modelDir);
  }

  /**
   * The {@code warmup:} section (optional): {@code enabled}, {@code batch-sizes}, {@code sample}.
   */
  private static ModelConfig.Warmup warmup(YamlMap y, int maxBatch, Path modelDir) {
    YamlMap w = y.map("warmup");
    if (w == null) {
      return ModelConfig.Warmup.DEFAULT;
    }
    boolean enabled = w.bool("enabled", true);
    List<Integer> sizes = new ArrayList<>();
    for (long b : w.longList("batch-sizes")) {
      if (b < 1 || b > maxBatch) {
        throw w.error(
            "batch-sizes",
            "warm-up batch sizes must be between 1 and max-batch-size ("
                + maxBatch
                + "), got "
                + b);
      }
      sizes.add((int) b);
    }
    String sample = w.has("sample") ? w.requireString("sample") : null;
    if (sample != null) {
      Path f = modelDir.resolve(sample).normalize();
      if (!f.startsWith(modelDir.normalize()) || !Files.isRegularFile(f)) {
        throw w.error(
            "sample", "warm-up sample '" + sample + "' is not a file in the model's folder");
      }
    }
    w.finish();
    return new ModelConfig.Warmup(enabled, sizes, sample);
  }

  /**
   * The {@code butterfly:} section: the network's shape on the butterfly accelerator (required
   * there).
   */
  private static @Nullable ButterflyNetwork butterfly(YamlMap y, String device) {
    YamlMap b = y.map("butterfly");
    if (b == null) {
      if (BUTTERFLY_DEVICE.equals(device)) {
        throw y.error(
            "device",
            "a model on the butterfly device needs a 'butterfly:' section (length, hidden, ffn, blocks)");
      }
      return null;
    }
    int length = b.intValue("length", 0);
    int hidden = b.intValue("hidden", 0);
    int ffn = b.intValue("ffn", 0);
    int fbfly = b.intValue("fbfly-blocks", 0);
    int abfly = b.intValue("abfly-blocks", 0);
    int dense = b.intValue("dense-blocks", 0);
    int heads = b.intValue("heads", 1);
    b.finish();
    try {
      return new ButterflyNetwork(length, hidden, ffn, fbfly, abfly, dense, heads);
    } catch (IllegalArgumentException e) {
      throw y.error("butterfly", String.valueOf(e.getMessage()));
    }
  }

  private static ModelConfig.VersionPolicy versionPolicy(YamlMap y) {
    if (!y.has("versions")) {
      return ModelConfig.VersionPolicy.LATEST;
    }
    if (!y.isList("versions")) {
      String s = y.string("versions", "latest");
      return switch (s) {
        case "latest" -> ModelConfig.VersionPolicy.LATEST;
        case "all" -> new ModelConfig.VersionPolicy(ModelConfig.VersionPolicy.Kind.ALL, List.of());
        default ->
            throw y.error(
                "versions", "expected latest, all, or a list of version numbers, got '" + s + "'");
      };
    }
    List<Long> list = y.longList("versions");
    if (list.isEmpty()) {
      throw y.error("versions", "the list of versions is empty");
    }
    for (long v : list) {
      if (v < 1) {
        throw y.error("versions", "version numbers must be >= 1");
      }
    }
    return new ModelConfig.VersionPolicy(
        ModelConfig.VersionPolicy.Kind.SPECIFIC, List.copyOf(list));
  }

  private static List<TensorSpec> tensors(YamlMap y, String key) {
    List<TensorSpec> out = new ArrayList<>();
    for (YamlMap t : y.mapList(key)) {
      String name = t.requireString("name");
      String dt = t.requireString("datatype");
      DataType type =
          DataType.fromConfigName(dt)
              .orElseThrow(() -> t.error("datatype", "unknown datatype '" + dt + "'"));
      List<Long> dims = t.longList("shape");
      long[] shape = new long[dims.size()];
      for (int i = 0; i < shape.length; i++) {
        long d = dims.get(i);
        if (d == 0 || d < -1) {
          throw t.error("shape", "dimensions must be positive or -1, got " + d);
        }
        shape[i] = d;
      }
      t.finish();
      for (TensorSpec other : out) {
        if (other.name().equals(name)) {
          throw t.error("name", "duplicate tensor name '" + name + "' in " + key);
        }
      }
      out.add(new TensorSpec(name, type, shape));
    }
    return out;
  }

  private static List<ModelConfig.StageConfig> stages(YamlMap y) {
    List<YamlMap> list = y.mapList("stages");
    if (list.size() < 2) {
      throw y.error("stages", "an early-exit model needs at least two stages");
    }
    List<ModelConfig.StageConfig> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      YamlMap s = list.get(i);
      String graph = s.requireString("graph");
      YamlMap exit = s.map("exit");
      String exitGraph = null;
      double threshold = 1.0;
      if (exit != null) {
        exitGraph = exit.requireString("graph");
        boolean last = i == list.size() - 1;
        threshold = exit.number("threshold", last ? 0.0 : Double.NaN);
        if (!last && (Double.isNaN(threshold) || threshold <= 0 || threshold > 1)) {
          throw exit.error(
              "threshold", "an intermediate exit needs a confidence threshold in (0, 1]");
        }
        exit.finish();
      } else if (i == list.size() - 1) {
        throw s.error("exit", "the last stage needs an exit head (the final classifier)");
      }
      s.finish();
      out.add(new ModelConfig.StageConfig(graph, exitGraph, threshold));
    }
    return out;
  }

  private static double @Nullable [] exitPrior(YamlMap y, List<ModelConfig.StageConfig> stages) {
    List<String> values = y.stringList("exit-prior");
    if (values.isEmpty()) {
      return null;
    }
    int exits = (int) stages.stream().filter(s -> s.exitGraph() != null).count();
    if (values.size() != exits) {
      throw y.error(
          "exit-prior",
          "expected " + exits + " cumulative exit fractions (one per exit), got " + values.size());
    }
    double[] p = new double[values.size()];
    double prev = 0;
    for (int i = 0; i < p.length; i++) {
      try {
        p[i] = Double.parseDouble(values.get(i));
      } catch (NumberFormatException e) {
        throw y.error("exit-prior", "not a number: " + values.get(i));
      }
      if (p[i] < prev || p[i] > 1) {
        throw y.error("exit-prior", "cumulative fractions must be non-decreasing in [0, 1]");
      }
      prev = p[i];
    }
    if (Math.abs(p[p.length - 1] - 1) > 1e-9) {
      throw y.error("exit-prior", "the last cumulative fraction must be 1");
    }
    return p;
  }

  /**
   * Samples a priority level of a model's queue holds unless its config says otherwise (0 =
   * unbounded).
   */
  public static final int DEFAULT_QUEUE_SIZE = 1024;

  private static ModelConfig.SchedulingConfig scheduling(YamlMap root, ModelKind kind) {
    YamlMap y = root.map("scheduling");
    String defaultPolicy = kind == ModelKind.EARLY_EXIT ? "fluid" : "work-conserving";
    if (y == null) {
      return new ModelConfig.SchedulingConfig(
          defaultPolicy,
          Map.of(),
          List.of(new ModelConfig.QueueLevel(DEFAULT_QUEUE_SIZE, Duration.ZERO, true)),
          1,
          true,
          ModelConfig.QueueOrder.FAIR,
          true);
    }
    String policy = y.string("policy", defaultPolicy);
    Map<String, Object> params = y.plainMap("parameters");
    try {
      BatchPolicies.create(policy, params);
    } catch (IllegalArgumentException e) {
      throw y.error(params.isEmpty() ? "policy" : "parameters", String.valueOf(e.getMessage()));
    }
    int levels = y.intValue("priority-levels", 1);
    if (levels < 1 || levels > 16) {
      throw y.error("priority-levels", "must be between 1 and 16");
    }
    int defaultPriority = y.intValue("default-priority", 1);
    if (defaultPriority < 1 || defaultPriority > levels) {
      throw y.error("default-priority", "must be between 1 and priority-levels (" + levels + ")");
    }
    ModelConfig.QueueLevel base =
        queueLevel(
            y.map("queue"), new ModelConfig.QueueLevel(DEFAULT_QUEUE_SIZE, Duration.ZERO, true));
    List<ModelConfig.QueueLevel> queueLevels = new ArrayList<>();
    for (int i = 0; i < levels; i++) {
      queueLevels.add(base);
    }
    YamlMap per = y.map("priority-queues");
    if (per != null) {
      for (String key : per.keys()) {
        int level;
        try {
          level = Integer.parseInt(key);
        } catch (NumberFormatException e) {
          throw per.error(key, "keys of priority-queues are priority levels 1.." + levels);
        }
        if (level < 1 || level > levels) {
          throw per.error(key, "priority level " + level + " outside 1.." + levels);
        }
        queueLevels.set(level - 1, queueLevel(per.map(key), base));
      }
      per.finish();
    }
    boolean dropLate = y.bool("drop-late", true);
    boolean admission = y.bool("admission", true);
    String orderName = y.string("order", "fair");
    ModelConfig.QueueOrder order = null;
    for (ModelConfig.QueueOrder o : ModelConfig.QueueOrder.values()) {
      order = o.yamlName().equals(orderName) ? o : order;
    }
    if (order == null) {
      throw y.error("order", "expected fair, fifo or earliest-deadline, got '" + orderName + "'");
    }
    y.finish();
    return new ModelConfig.SchedulingConfig(
        policy,
        Map.copyOf(params),
        List.copyOf(queueLevels),
        defaultPriority,
        dropLate,
        order,
        admission);
  }

  private static ModelConfig.QueueLevel queueLevel(
      @Nullable YamlMap q, ModelConfig.QueueLevel def) {
    if (q == null) {
      return def;
    }
    int max = q.intValue("max-size", def.maxSize());
    if (max < 0) {
      throw q.error("max-size", "must be >= 0 (0 = unbounded)");
    }
    ModelConfig.QueueLevel l =
        new ModelConfig.QueueLevel(
            max,
            q.duration("timeout", def.timeout()),
            q.bool("allow-timeout-override", def.allowTimeoutOverride()));
    q.finish();
    return l;
  }
}
