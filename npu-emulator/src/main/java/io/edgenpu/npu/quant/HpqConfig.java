package io.edgenpu.npu.quant;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A hybrid-precision configuration as the {@code nawq-search} command writes it beside a model
 * ({@code hpq/eps-<eps>.json}): its name (the file's, without {@code .json}), the tolerance it was
 * searched for (dB of PSNR vs FP32), a wordlength per convolution and the search's sensitivity per
 * convolution (dB; empty when unknown), both in {@link SrGraph#convs()} order.
 */
public record HpqConfig(String name, double epsDb, List<Integer> bits, List<Double> sensitivity) {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  public HpqConfig {
    bits = List.copyOf(bits);
    sensitivity = List.copyOf(sensitivity);
    if (!sensitivity.isEmpty() && sensitivity.size() != bits.size()) {
      throw new IllegalArgumentException("one sensitivity per layer, or none");
    }
  }

  /** A configuration without sensitivities. */
  public HpqConfig(String name, double epsDb, List<Integer> bits) {
    this(name, epsDb, bits, List.of());
  }

  /** The sensitivities as an array (zeros when unknown). */
  public double[] sensitivityArray() {
    double[] s = new double[bits.size()];
    for (int i = 0; i < sensitivity.size(); i++) {
      s[i] = sensitivity.get(i);
    }
    return s;
  }

  /**
   * The feasible configurations in {@code <modelDirectory>/hpq}, by file name; files for another
   * number of layers, infeasible searches and files without a tolerance are left out. No folder:
   * none.
   *
   * @throws IOException a file cannot be read or is not JSON (the message names the file)
   */
  public static List<HpqConfig> readFeasible(Path modelDirectory, int layers) throws IOException {
    Path hpq = modelDirectory.resolve("hpq");
    List<HpqConfig> out = new ArrayList<>();
    if (!Files.isDirectory(hpq)) {
      return out;
    }
    try (Stream<Path> files = Files.list(hpq)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        JsonNode root;
        try {
          root = JSON.readTree(Files.readString(f));
        } catch (JacksonException e) {
          throw new IOException(f + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        List<Integer> bits = new ArrayList<>();
        List<Double> sensitivity = new ArrayList<>();
        for (JsonNode layer : root.path("layers").values()) {
          bits.add(layer.path("act_bits").intValue(0));
          if (layer.path("sensitivity_db").isNumber()) {
            sensitivity.add(layer.path("sensitivity_db").doubleValue());
          }
        }
        if (sensitivity.size() != bits.size()) {
          sensitivity.clear();
        }
        JsonNode eps = root.path("eps_db");
        if (root.path("feasible").booleanValue(false)
            && eps.isNumber()
            && bits.size() == layers
            && !bits.contains(0)) {
          out.add(
              new HpqConfig(
                  f.getFileName().toString().replace(".json", ""),
                  eps.doubleValue(),
                  bits,
                  sensitivity));
        }
      }
    }
    return out;
  }
}
