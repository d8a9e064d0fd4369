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
 * searched for (dB of PSNR vs FP32) and a wordlength per convolution, in {@link SrGraph#convs()}
 * order.
 */
public record HpqConfig(String name, double epsDb, List<Integer> bits) {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  public HpqConfig {
    bits = List.copyOf(bits);
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
        for (JsonNode layer : root.path("layers").values()) {
          bits.add(layer.path("act_bits").intValue(0));
        }
        JsonNode eps = root.path("eps_db");
        if (root.path("feasible").booleanValue(false)
            && eps.isNumber()
            && bits.size() == layers
            && !bits.contains(0)) {
          out.add(
              new HpqConfig(
                  f.getFileName().toString().replace(".json", ""), eps.doubleValue(), bits));
        }
      }
    }
    return out;
  }
}
