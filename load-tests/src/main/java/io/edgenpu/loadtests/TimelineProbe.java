package io.edgenpu.loadtests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Where one batch-1 request's time goes inside the service: sends {@code requests} sequential
 * requests on one keep-alive connection, each asking for its timeline ({@code "timeline": true}),
 * and reports the median and 90th percentile of every phase between the timeline's events (arrival,
 * queued, stage start, stage end, response) and of the client's round trip, in microseconds, as CSV
 * on stdout.
 *
 * <pre>java -cp ... io.edgenpu.loadtests.TimelineProbe URL BODY.json REQUESTS WARMUP</pre>
 */
public final class TimelineProbe {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private TimelineProbe() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length != 4) {
      System.err.println("usage: TimelineProbe URL BODY.json REQUESTS WARMUP");
      System.exit(2);
    }
    URI url = URI.create(args[0]);
    ObjectNode body = (ObjectNode) JSON.readTree(Files.readString(Path.of(args[1])));
    ((ObjectNode) body.putObject("parameters")).put("timeline", true);
    byte[] bytes = JSON.writeValueAsBytes(body);
    int requests = Integer.parseInt(args[2]);
    int warmup = Integer.parseInt(args[3]);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Map<String, List<Double>> phases = new LinkedHashMap<>();
    for (int i = 0; i < warmup + requests; i++) {
      long t0 = System.nanoTime();
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(url)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      double roundTripUs = (System.nanoTime() - t0) / 1e3;
      if (r.statusCode() != 200) {
        throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
      }
      if (i < warmup) {
        continue;
      }
      JsonNode timeline = JSON.readTree(r.body()).path("parameters").path("timeline");
      if (timeline.isString()) {
        timeline = JSON.readTree(timeline.asString());
      }
      Map<String, Double> at = new LinkedHashMap<>();
      double deviceUs = Double.NaN;
      for (JsonNode e : timeline.values()) {
        at.putIfAbsent(e.path("event").asString(), e.path("t_us").asDouble());
        if (e.has("device_us") && Double.isNaN(deviceUs)) {
          deviceUs = e.path("device_us").asDouble();
        }
      }
      String previous = null;
      double previousUs = 0;
      for (Map.Entry<String, Double> e : at.entrySet()) {
        if (previous != null) {
          phases
              .computeIfAbsent(previous + " -> " + e.getKey(), k -> new ArrayList<>())
              .add(e.getValue() - previousUs);
        }
        previous = e.getKey();
        previousUs = e.getValue();
      }
      phases.computeIfAbsent("device time (reported)", k -> new ArrayList<>()).add(deviceUs);
      phases
          .computeIfAbsent("server total (arrival -> response)", k -> new ArrayList<>())
          .add(at.getOrDefault("response", Double.NaN));
      phases.computeIfAbsent("client round trip", k -> new ArrayList<>()).add(roundTripUs);
    }
    System.out.println("phase,median_us,p90_us,samples");
    for (Map.Entry<String, List<Double>> e : phases.entrySet()) {
      double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
      System.out.printf(
          Locale.ROOT,
          "%s,%.1f,%.1f,%d%n",
          e.getKey(),
          quantile(v, 0.5),
          quantile(v, 0.9),
          v.length);
    }
  }

  private static double quantile(double[] sorted, double q) {
    return sorted.length == 0
        ? Double.NaN
        : sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
  }
}
