package io.edgenpu.loadtests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The live fluid-batching experiment's client: replays one open-loop schedule ({@code
 * send_us,sample} rows, written by {@code experiments fluid-live --step plan}) against a model's
 * OIP REST endpoint on loopback. Each request carries one held-out image ({@code
 * eval/images-u8.bin}: 32x32 grey uint8, sent as FP32 in [0, 1], shape [1, 1, 32, 32]), so each
 * sample exits where the model really exits it. Latency runs from each request's intended send time
 * (no coordinated omission); a request that is not answered 200 counts as an error and as an SLO
 * miss. The service's NPU overrun and preemption counters are read from {@code
 * /actuator/prometheus} before and after.
 *
 * <p>Prints one CSV line: {@code requests,p50_ms,p99_ms,slo_attainment,overruns,time_scale,
 * preemptions,errors}, latencies in emulated milliseconds (wall time / time scale). Usage: {@code
 * LiveRun <host:port> <model> <schedule.csv> <images-u8.bin> <slo_wall_us> <time_scale>}.
 */
public final class LiveRun {
  /** Pixels of one image: the models' input [1, 32, 32]. */
  static final int PIXELS = 32 * 32;

  private LiveRun() {}

  public static void main(String[] args) throws Exception {
    String address = args[0];
    if (!address.startsWith("127.") && !address.startsWith("localhost")) {
      throw new IllegalArgumentException("load tests target loopback only: " + address);
    }
    String model = args[1];
    List<String> schedule = Files.readAllLines(Path.of(args[2]));
    byte[] images = Files.readAllBytes(Path.of(args[3]));
    long sloNanos = Long.parseLong(args[4]) * 1000;
    double timeScale = Double.parseDouble(args[5]);
    double warmupSeconds = args.length > 6 ? Double.parseDouble(args[6]) : 0;
    int n = schedule.size() - 1;
    long[] due = new long[n];
    int[] sample = new int[n];
    for (int i = 0; i < n; i++) {
      String[] f = schedule.get(i + 1).split(",", -1);
      due[i] = Long.parseLong(f[0]) * 1000;
      sample[i] = Integer.parseInt(f[1]);
    }
    String[] bodies = new String[images.length / PIXELS];
    for (int i = 0; i < bodies.length; i++) {
      bodies[i] = body(images, i, model + "-" + i);
    }
    HttpClient client =
        HttpClient.create(ConnectionProvider.builder("live").maxConnections(1024).build())
            .baseUrl("http://" + address)
            .headers(h -> h.set("Content-Type", "application/json"));
    String path = "/v2/models/" + model + "/infer";
    int warm = 0;
    while (warm < n && due[warm] < warmupSeconds * 1e9) {
      warm++;
    }
    if (warm > 0) { // this JVM's own warm-up: the schedule's first seconds, not measured
      replay(client, path, due, sample, warm, bodies, sloNanos);
      LockSupport.parkNanos(2_000_000_000L);
    }
    double[] before = counters(client);
    Stats st = replay(client, path, due, sample, n, bodies, sloNanos);
    double[] after = counters(client);
    System.out.printf(
        Locale.ROOT,
        "%d,%.3f,%.3f,%.4f,%.0f,%.0f,%.0f,%d,%.3f,%.3f%n",
        n,
        st.latencies.getValueAtPercentile(50) / 1e6 / timeScale,
        st.latencies.getValueAtPercentile(99) / 1e6 / timeScale,
        st.withinSlo.get() / (double) n,
        after[0] - before[0],
        timeScale,
        after[1] - before[1],
        st.errors.get(),
        st.server.getValueAtPercentile(50) / 1e6 / timeScale,
        st.server.getValueAtPercentile(99) / 1e6 / timeScale);
    System.exit(0);
  }

  /** What one replay measured: client and in-service latencies (ns), errors, answers in SLO. */
  record Stats(Histogram latencies, Histogram server, AtomicLong errors, AtomicLong withinSlo) {}

  /** Sends the first {@code n} rows of the schedule at their times; returns when all answered. */
  static Stats replay(
      HttpClient client,
      String path,
      long[] due,
      int[] sample,
      int n,
      String[] bodies,
      long sloNanos)
      throws InterruptedException {
    Stats st = new Stats(new Histogram(3), new Histogram(3), new AtomicLong(), new AtomicLong());
    CountDownLatch answered = new CountDownLatch(n);
    long start = System.nanoTime() + 100_000_000L;
    for (int i = 0; i < n; i++) {
      long intended = start + due[i];
      long wait = intended - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      client
          .post()
          .uri(path)
          .send(ByteBufFlux.fromString(Mono.just(bodies[sample[i]])))
          .responseSingle(
              (res, content) ->
                  content
                      .asString(StandardCharsets.UTF_8)
                      .map(b -> new Answer(res.status().code(), b))
                      .defaultIfEmpty(new Answer(res.status().code(), "")))
          .timeout(Duration.ofSeconds(60))
          .subscribe(
              answer -> {
                long latency = System.nanoTime() - intended;
                long inService = answer.serviceNanos();
                synchronized (st) {
                  st.latencies.recordValue(Math.max(0, latency));
                  if (inService >= 0) {
                    st.server.recordValue(inService);
                  }
                }
                if (answer.code() != 200) {
                  st.errors.incrementAndGet();
                } else if (latency <= sloNanos) {
                  st.withinSlo.incrementAndGet();
                }
                answered.countDown();
              },
              e -> {
                st.errors.incrementAndGet();
                answered.countDown();
              });
    }
    if (!answered.await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException(answered.getCount() + " requests unanswered after 120 s");
    }
    return st;
  }

  /** One answer: its HTTP status and body. */
  record Answer(int code, String body) {
    private static final Pattern RESPONSE =
        Pattern.compile("t_us\\\\\":([0-9.]+),\\\\\"event\\\\\":\\\\\"response");

    /** Arrival to response inside the service, from the answer's timeline; -1 without one. */
    long serviceNanos() {
      Matcher m = RESPONSE.matcher(body);
      return m.find() ? Math.round(Double.parseDouble(m.group(1)) * 1000) : -1;
    }
  }

  /** One OIP request with image {@code index} of the set, asking for its timeline. */
  static String body(byte[] images, int index, String id) {
    StringBuilder b = new StringBuilder(PIXELS * 8);
    b.append("{\"id\":\"")
        .append(id)
        .append("\",\"parameters\":{\"timeline\":true},\"inputs\":[{\"name\":\"image\",")
        .append("\"shape\":[1,1,32,32],\"datatype\":\"FP32\",\"data\":[");
    for (int p = 0; p < PIXELS; p++) {
      if (p > 0) {
        b.append(',');
      }
      b.append((images[index * PIXELS + p] & 0xff) / 255f);
    }
    return b.append("]}]}").toString();
  }

  /** {overruns of the emulated NPU, preemptions summed over models} from the service's counters. */
  static double[] counters(HttpClient client) throws IOException {
    String text =
        client
            .get()
            .uri("/actuator/prometheus")
            .responseSingle((res, content) -> content.asString(StandardCharsets.UTF_8))
            .block(Duration.ofSeconds(10));
    if (text == null) {
      throw new IOException("no answer from /actuator/prometheus");
    }
    double[] sums = new double[2];
    for (String line : text.split("\n", -1)) {
      if (line.startsWith("#")) {
        continue;
      }
      int k =
          line.startsWith("edgenpu_npu_overruns_total{device=\"npu\"")
              ? 0
              : line.startsWith("edgenpu_preemptions_total") ? 1 : -1;
      if (k >= 0) {
        sums[k] += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sums;
  }
}
