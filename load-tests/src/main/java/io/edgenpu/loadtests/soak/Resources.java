package io.edgenpu.loadtests.soak;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Samples the service's resources: RSS, threads and open file descriptors from {@code /proc/<pid>},
 * heap in use and ONNX Runtime sessions from its Prometheus page. Then judges growth: the last
 * quarter of the run against the second (the first is warm-up).
 */
final class Resources {
  /** One sample. */
  record Sample(
      double tSeconds, double rssMb, double heapMb, int ortSessions, int threads, int fds) {
    String csv() {
      return String.format(
          Locale.ROOT,
          "%.1f,%.1f,%.1f,%d,%d,%d",
          tSeconds,
          rssMb,
          heapMb,
          ortSessions,
          threads,
          fds);
    }
  }

  static final String CSV_HEADER = "t_s,rss_mb,heap_mb,ort_sessions,threads,fds";

  /** RSS may grow by at most this fraction from the second quarter's mean to the last quarter's. */
  static final double RSS_TOLERANCE = 0.10;

  /**
   * Threads may exceed the second quarter's maximum by at most this many (transient pool threads).
   */
  static final int THREAD_TOLERANCE = 8;

  /**
   * Open fds may exceed the second quarter's maximum by this fraction plus a constant (connections
   * come and go).
   */
  static final double FD_TOLERANCE = 0.25;

  private final long pid;
  private final HttpClient client;
  private final String prometheus;
  private final long startNanos = System.nanoTime();
  private final List<Sample> samples = new ArrayList<>();

  Resources(long pid, HttpClient client, int port) {
    this.pid = pid;
    this.client = client;
    this.prometheus = "http://127.0.0.1:" + port + "/actuator/prometheus";
  }

  synchronized Sample sample() throws IOException, InterruptedException {
    Path proc = Path.of("/proc", Long.toString(pid));
    double rss = 0;
    int threads = 0;
    for (String line : Files.readAllLines(proc.resolve("status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      } else if (line.startsWith("Threads:")) {
        threads = Integer.parseInt(line.replaceAll("[^0-9]", ""));
      }
    }
    int fds;
    try (Stream<Path> s = Files.list(proc.resolve("fd"))) {
      fds = (int) s.count();
    }
    String metrics =
        client
            .send(
                HttpRequest.newBuilder(URI.create(prometheus))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    double heap = 0;
    int sessions = 0;
    for (String line : metrics.lines().toList()) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        heap += value(line) / (1024 * 1024);
      } else if (line.startsWith("edgenpu_ort_sessions ")
          || line.startsWith("edgenpu_ort_sessions{")) {
        sessions = (int) value(line);
      }
    }
    Sample s =
        new Sample((System.nanoTime() - startNanos) / 1e9, rss, heap, sessions, threads, fds);
    samples.add(s);
    return s;
  }

  /** The last value of a Prometheus sample line. */
  static double value(String line) {
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }

  /** A Prometheus counter or gauge without labels, summed over any labels it has; 0 when absent. */
  static double metric(String metrics, String name) {
    double sum = 0;
    for (String line : metrics.lines().toList()) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        sum += value(line);
      }
    }
    return sum;
  }

  synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** What grew without bound, as sentences; empty when nothing did. */
  synchronized List<String> growth() {
    List<String> out = new ArrayList<>();
    int n = samples.size();
    if (n < 8) {
      out.add("too few resource samples (" + n + ") to judge growth");
      return out;
    }
    List<Sample> second = samples.subList(n / 4, n / 2);
    List<Sample> last = samples.subList(3 * n / 4, n);
    double rss2 = second.stream().mapToDouble(Sample::rssMb).average().orElse(0);
    double rss4 = last.stream().mapToDouble(Sample::rssMb).average().orElse(0);
    if (rss4 > rss2 * (1 + RSS_TOLERANCE)) {
      out.add(
          String.format(
              Locale.ROOT,
              "RSS grew from %.0f MB (second quarter) to %.0f MB (last quarter), over %.0f %%",
              rss2,
              rss4,
              RSS_TOLERANCE * 100));
    }
    // A reload holds the old version's sessions until its requests drain, so the count peaks for a
    // moment; a leak raises the floor: every sample of the last quarter above the second's peak.
    int ort2 = second.stream().mapToInt(Sample::ortSessions).max().orElse(0);
    int ort4 = last.stream().mapToInt(Sample::ortSessions).min().orElse(0);
    if (ort4 > ort2) {
      out.add("ONNX Runtime sessions grew from at most " + ort2 + " to at least " + ort4);
    }
    int th2 = second.stream().mapToInt(Sample::threads).max().orElse(0);
    int th4 = last.stream().mapToInt(Sample::threads).max().orElse(0);
    if (th4 > th2 + THREAD_TOLERANCE) {
      out.add("threads grew from at most " + th2 + " to " + th4);
    }
    int fd2 = second.stream().mapToInt(Sample::fds).max().orElse(0);
    int fd4 = last.stream().mapToInt(Sample::fds).max().orElse(0);
    if (fd4 > fd2 * (1 + FD_TOLERANCE) + 16) {
      out.add("open file descriptors grew from at most " + fd2 + " to " + fd4);
    }
    return out;
  }
}
