package io.edgenpu.npu.profile;

import io.edgenpu.config.ConfigException;
import io.edgenpu.config.YamlMap;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Loads hardware profiles from versioned YAML files (schema {@code profile-version: 1}); the
 * built-in presets live in {@code src/main/resources/profiles}. Unknown keys, bad values and
 * unsupported versions fail with the file, line and reason.
 */
public final class NpuProfiles {
  /** Built-in GEMM-array presets. */
  public static final List<String> PRESETS =
      List.of(
          "fluid-npu",
          "fluid-npu-no-stacking",
          "baseline-npu",
          "reference-compute-only",
          "edge-tpu-class",
          "hailo8-class");

  public static final String DEFAULT = "fluid-npu";

  private NpuProfiles() {}

  /** A built-in preset by name, or a path to a profile file. */
  public static NpuProfile resolve(String nameOrPath) {
    if (PRESETS.contains(nameOrPath)) {
      return preset(nameOrPath);
    }
    Path p = Path.of(nameOrPath);
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException(
          "unknown NPU profile '" + nameOrPath + "': not a preset " + PRESETS + " nor a file");
    }
    try {
      return load(p);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read NPU profile " + p + ": " + e.getMessage(), e);
    }
  }

  public static NpuProfile preset(String name) {
    String resource = "/profiles/" + name + ".yaml";
    try (InputStream in = NpuProfiles.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException(
            "no NPU profile preset '" + name + "'; presets: " + PRESETS);
      }
      return parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read built-in profile " + resource, e);
    }
  }

  public static NpuProfile load(Path path) throws IOException {
    return parse(path.toString(), Files.readString(path, StandardCharsets.UTF_8));
  }

  /** The optional {@code weight-memory:} section ({@link WeightMemory#NONE} when absent). */
  private static WeightMemory weightMemory(YamlMap y) {
    YamlMap w = y.map("weight-memory");
    if (w == null) {
      return WeightMemory.NONE;
    }
    WeightMemory m =
        new WeightMemory(
            w.integer("on-chip-bytes", 0),
            w.number("fetch-bandwidth-gbps", 0) * 1e9,
            w.enumValue(
                "overflow", WeightMemory.Overflow.class, WeightMemory.Overflow.STREAM_EXCESS));
    w.finish();
    return m;
  }

  public static NpuProfile parse(String file, String yaml) {
    YamlMap y = YamlMap.parse(file, yaml);
    int version = y.intValue("profile-version", 0);
    if (version != 1) {
      throw y.error(
          "profile-version",
          "unsupported profile-version " + version + " (this build reads version 1)");
    }
    String type = y.string("type", "gemm-array");
    if (!type.equals("gemm-array")) {
      throw y.error("type", "expected type gemm-array, got '" + type + "'");
    }
    YamlMap tile = y.map("tile");
    if (tile == null) {
      throw y.error("tile", "required key 'tile' (rows, depth, columns) is missing");
    }
    int rows = tile.intValue("rows", 0);
    int depth = tile.intValue("depth", 0);
    int cols = tile.intValue("columns", 0);
    tile.finish();
    List<Integer> stacking = new ArrayList<>();
    for (long k : y.longList("stacking-factors")) {
      stacking.add((int) k);
    }
    if (stacking.isEmpty()) {
      stacking.add(1);
    }
    Map<PrecisionMode, PrecisionCost> precisions = new EnumMap<>(PrecisionMode.class);
    YamlMap pm = y.map("precision");
    if (pm != null) {
      for (PrecisionMode mode : PrecisionMode.values()) {
        YamlMap c = pm.map(mode.name());
        if (c != null) {
          precisions.put(
              mode,
              new PrecisionCost(
                  c.number("activation-bytes", 1),
                  c.number("weight-bytes", 1),
                  c.number("mac-cost", 1)));
          c.finish();
        }
      }
      pm.finish();
    } else {
      precisions.put(PrecisionMode.A8W8, new PrecisionCost(1, 1, 1));
    }
    try {
      NpuProfile p =
          new NpuProfile(
              version,
              y.requireString("name"),
              y.string("description", ""),
              rows,
              depth,
              cols,
              stacking,
              y.bool("fluid-batching", true),
              y.intValue("max-p-batch", 8),
              y.number("clock-ghz", 1.0) * 1e9,
              y.number("dram-bandwidth-gbps", 25.6) * 1e9,
              y.intValue("pipeline-overhead-cycles", 8),
              y.enumValue("memory-ops", NpuProfile.MemoryOps.class, NpuProfile.MemoryOps.BANDWIDTH),
              y.enumValue("fidelity", NpuProfile.Fidelity.class, NpuProfile.Fidelity.TILE),
              precisions,
              y.enumValue("default-precision", PrecisionMode.class, PrecisionMode.A8W8),
              y.number("convert-cycles-per-element", 0.0),
              y.integer("reconfiguration-cycles", 0),
              y.integer("preemption-cycles", 0),
              y.integer("on-chip-activation-bytes", 0),
              y.intValue("vector-elements-per-cycle", 64),
              weightMemory(y));
      y.finish();
      return p;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(file, 0, 0, String.valueOf(e.getMessage()));
    }
  }
}
