package io.edgenpu.npu.quant;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A hybrid-precision configuration as the {@code nawq-search} command writes it beside a model
 * ({@code hpq/eps-<eps>.json}): its name (the file's, without {@code .json}), the tolerance it was searched
 * for (dB of PSNR vs FP32) and a wordlength per convolution, in {@link SrGraph#convs()} order.
 */
public record HpqConfig(String name, double epsDb, List<Integer> bits) {
  private static final Pattern BITS = Pattern.compile("\"act_bits\":\\s*(\\d+)");
  private static final Pattern EPS = Pattern.compile("\"eps_db\":\\s*([0-9.]+)");
  private static final Pattern FEASIBLE = Pattern.compile("\"feasible\":\\s*true");

  public HpqConfig {
    bits = List.copyOf(bits);
  }

  /**
   * The feasible configurations in {@code <modelDirectory>/hpq}, by file name; files for another number of
   * layers, infeasible searches and files without a tolerance are left out. No folder: none.
   */
  public static List<HpqConfig> readFeasible(Path modelDirectory, int layers) throws IOException {
    Path hpq = modelDirectory.resolve("hpq");
    List<HpqConfig> out = new ArrayList<>();
    if (!Files.isDirectory(hpq)) {
      return out;
    }
    try (Stream<Path> files = Files.list(hpq)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        String json = Files.readString(f);
        List<Integer> bits = new ArrayList<>();
        Matcher m = BITS.matcher(json);
        while (m.find()) {
          bits.add(Integer.parseInt(m.group(1)));
        }
        Matcher e = EPS.matcher(json);
        if (FEASIBLE.matcher(json).find() && e.find() && bits.size() == layers) {
          out.add(new HpqConfig(f.getFileName().toString().replace(".json", ""), Double.parseDouble(e.group(1)), bits));
        }
      }
    }
    return out;
  }
}
