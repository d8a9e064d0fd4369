package io.edgenpu.experiments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A line chart (PNG) of one column against another from a results CSV, one line per value of the
 * series columns, for the benchmark and experiment commands. Rows whose x or y is not a number are
 * skipped.
 */
@Command(
    name = "chart",
    mixinStandardHelpOptions = true,
    description = "Line chart of a results CSV (PNG).")
public final class ChartCommand implements Callable<Integer> {
  @Option(names = "--csv", required = true, description = "results CSV with a header row")
  Path csv;

  @Option(names = "--x", required = true, description = "column on the x axis")
  String x;

  @Option(names = "--y", required = true, description = "column on the y axis")
  String y;

  @Option(
      names = "--series",
      required = true,
      split = ",",
      description = "columns whose values name the lines")
  List<String> series;

  @Option(
      names = "--filter",
      split = ",",
      description = "column=value conditions every row must meet")
  List<String> filters = List.of();

  @Option(names = "--title", defaultValue = "")
  String title;

  @Option(names = "--log-y", description = "logarithmic y axis")
  boolean logY;

  @Option(names = "--out", required = true, description = "PNG to write")
  Path out;

  @Override
  public Integer call() throws IOException {
    List<String> lines = Files.readAllLines(csv);
    List<String> header = List.of(lines.get(0).split(",", -1));
    int xi = column(header, x);
    int yi = column(header, y);
    Map<Integer, String> conditions = new LinkedHashMap<>();
    for (String f : filters) {
      String[] kv = f.split("=", 2);
      conditions.put(column(header, kv[0]), kv[1]);
    }
    Map<String, List<double[]>> points = new LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", -1);
      if (cells.length < header.size()
          || !conditions.entrySet().stream()
              .allMatch(c -> cells[c.getKey()].equals(c.getValue()))) {
        continue;
      }
      try {
        double px = Double.parseDouble(cells[xi]);
        double py = Double.parseDouble(cells[yi]);
        List<String> name = new ArrayList<>();
        for (String s : series) {
          name.add(cells[column(header, s)]);
        }
        points
            .computeIfAbsent(String.join(" ", name), k -> new ArrayList<>())
            .add(new double[] {px, py});
      } catch (NumberFormatException e) {
        // not a plotted row (e.g. "-" for an open-loop run)
      }
    }
    List<Charts.Series> out = new ArrayList<>();
    for (Map.Entry<String, List<double[]>> e : points.entrySet()) {
      List<double[]> p = e.getValue();
      p.sort((a, b) -> Double.compare(a[0], b[0]));
      out.add(
          new Charts.Series(
              e.getKey(),
              p.stream().mapToDouble(v -> v[0]).toArray(),
              p.stream().mapToDouble(v -> v[1]).toArray()));
    }
    if (out.isEmpty()) {
      System.err.println("no rows of " + csv + " match " + filters);
      return 1;
    }
    Charts.lines(this.out, title, x, y, out, logY, false);
    System.out.println("wrote " + this.out);
    return 0;
  }

  private static int column(List<String> header, String name) {
    int i = header.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("no column '" + name + "'; columns: " + header);
    }
    return i;
  }
}
