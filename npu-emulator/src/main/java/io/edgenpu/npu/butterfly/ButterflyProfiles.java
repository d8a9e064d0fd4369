package io.edgenpu.npu.butterfly;

import io.edgenpu.config.ConfigException;
import io.edgenpu.config.YamlMap;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads butterfly-accelerator profiles (YAML, {@code profile-version: 1}, {@code type: butterfly});
 * presets in resources.
 */
public final class ButterflyProfiles {
  public static final List<String> PRESETS =
      List.of("butterfly-vcu128-be120", "butterfly-zynq7045-be20");

  private ButterflyProfiles() {}

  public static ButterflyProfile preset(String name) {
    String resource = "/profiles/" + name + ".yaml";
    try (InputStream in = ButterflyProfiles.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException(
            "no butterfly profile preset '" + name + "'; presets: " + PRESETS);
      }
      return parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read built-in profile " + resource, e);
    }
  }

  public static ButterflyProfile resolve(String nameOrPath) {
    if (PRESETS.contains(nameOrPath)) {
      return preset(nameOrPath);
    }
    try {
      return parse(nameOrPath, Files.readString(Path.of(nameOrPath), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "unknown butterfly profile '"
              + nameOrPath
              + "': not a preset "
              + PRESETS
              + " nor a readable file");
    }
  }

  public static ButterflyProfile parse(String file, String yaml) {
    YamlMap y = YamlMap.parse(file, yaml);
    if (y.intValue("profile-version", 0) != 1) {
      throw y.error("profile-version", "unsupported profile-version (this build reads version 1)");
    }
    if (!"butterfly".equals(y.string("type", ""))) {
      throw y.error("type", "expected type butterfly");
    }
    YamlMap dram = y.map("dram-bits-per-cycle");
    if (dram == null) {
      throw y.error(
          "dram-bits-per-cycle",
          "required key 'dram-bits-per-cycle' (input, output, coefficients) is missing");
    }
    try {
      ButterflyProfile p =
          new ButterflyProfile(
              y.requireString("name"),
              y.string("description", ""),
              y.intValue("engines", 0),
              y.intValue("units-per-engine", 4),
              y.number("clock-mhz", 200),
              y.number("efficiency", 0.85),
              y.intValue("bit-width", 16),
              dram.intValue("input", 0),
              dram.intValue("output", 0),
              dram.intValue("coefficients", 0),
              y.intValue("attention-macs-per-cycle", 512),
              y.intValue("softmax-delay-cycles", 72));
      dram.finish();
      y.finish();
      return p;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(file, 0, 0, String.valueOf(e.getMessage()));
    }
  }
}
