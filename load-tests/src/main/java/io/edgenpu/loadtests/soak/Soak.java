package io.edgenpu.loadtests.soak;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The chaos soak (run by {@code load-tests/soak.sh}, which starts the service): mixed traffic over
 * REST, gRPC unary, gRPC streams and the WebSocket stream from simulated devices, while models are
 * reloaded and unloaded, backends fail, hang and slow down, a scheduler listener throws, clients
 * cancel and disconnect and one client never reads; then a graceful shutdown (SIGTERM) with traffic
 * still coming.
 *
 * <p>Writes {@code soak.csv} (per transport: sent, answered, unanswered, by status class, late) and
 * {@code resources.csv} (RSS, heap, ONNX Runtime sessions, threads, fds every 2 s) to the output
 * folder and exits non-zero when a request went unanswered, a 5xx is outside the documented cases,
 * the gateway watchdog had to answer anything, a resource grew without bound (last quarter vs
 * second, tolerances in {@link Resources}), or the service did not exit within its grace period.
 *
 * <p>Usage: {@code Soak <http port> <grpc port> <service pid> <seconds> <output folder> <project
 * root>}.
 */
public final class Soak {
  private static final long EXIT_GRACE_SECONDS = 30;

  private Soak() {}

  public static void main(String[] args) throws Exception {
    int httpPort = Integer.parseInt(args[0]);
    int grpcPort = Integer.parseInt(args[1]);
    long pid = Long.parseLong(args[2]);
    int seconds = Integer.parseInt(args[3]);
    Path out = Path.of(args[4]);
    Requests requests = new Requests(Path.of(args[5]));
    Files.createDirectories(out);

    // Devices, chaos and the resource sampler each on their own threads: a chaos call (a reload
    // takes a
    // second) or a device blocked by the server's backpressure must not delay the others.
    ScheduledExecutorService timer = pool("soak-devices", 12);
    ScheduledExecutorService chaosTimer = pool("soak-chaos", 3);
    ScheduledExecutorService samplerTimer = pool("soak-sampler", 1);
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    HttpClient admin =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    Phase phase = new Phase();
    Ledger rest = new Ledger("rest");
    Ledger grpc = new Ledger("grpc");
    Ledger stream = new Ledger("grpc-stream");
    Ledger ws = new Ledger("websocket");
    Ledger cancelled = new Ledger("cancelled-by-client");

    List<SimulatedDevice> devices = new ArrayList<>();
    devices.add(
        new RestDevice(
            "camera-garden", requests, phase, 8, timer, 1, rest, cancelled, http, httpPort, 0));
    devices.add(
        new RestDevice(
            "camera-porch", requests, phase, 8, timer, 2, rest, cancelled, http, httpPort, 10));
    devices.add(
        new RestDevice(
            "doorbell", requests, phase, 6, timer, 3, rest, cancelled, http, httpPort, 0));
    devices.add(
        new GrpcUnaryDevice(
            "hub-kitchen", requests, phase, 8, timer, 4, grpc, cancelled, channel, 0));
    devices.add(
        new GrpcUnaryDevice(
            "hub-bedroom", requests, phase, 8, timer, 5, grpc, cancelled, channel, 10));
    devices.add(
        new GrpcStreamDevice(
            "tablet-living", requests, phase, 6, timer, 6, stream, cancelled, channel, 0));
    devices.add(
        new GrpcStreamDevice(
            "tablet-kitchen", requests, phase, 6, timer, 7, stream, cancelled, channel, 15));
    devices.add(
        new WebSocketDevice(
            "lock-front", requests, phase, 6, timer, 8, ws, cancelled, http, httpPort, 0));
    devices.add(
        new WebSocketDevice(
            "lock-back", requests, phase, 6, timer, 9, ws, cancelled, http, httpPort, 15));

    Resources resources = new Resources(pid, admin, httpPort);
    Chaos chaos = new Chaos(admin, httpPort, phase, chaosTimer);
    List<String> sampleFailures = new ArrayList<>();
    var sampler =
        samplerTimer.scheduleAtFixedRate(
            () -> {
              try {
                Resources.Sample s = resources.sample();
                if (Math.round(s.tSeconds()) % 30 < 2) {
                  System.out.println(
                      "soak: "
                          + Math.round(s.tSeconds())
                          + " s, "
                          + progress(rest, grpc, stream, ws)
                          + ", RSS "
                          + Math.round(s.rssMb())
                          + " MB, "
                          + s.ortSessions()
                          + " ORT sessions, "
                          + s.threads()
                          + " threads");
                }
              } catch (Exception e) {
                sampleFailures.add(e.toString());
              }
            },
            0,
            2,
            TimeUnit.SECONDS);

    System.out.println("soak: " + seconds + " s of traffic and chaos, then a graceful shutdown");
    devices.forEach(SimulatedDevice::start);
    chaos.start();
    Thread.sleep(seconds * 1000L);

    // Heal everything, let the traffic settle, read the watchdog before shutdown.
    chaos.stop();
    sampler.cancel(false);
    Thread.sleep(3_000);
    String metrics =
        admin
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + httpPort + "/actuator/prometheus"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    long watchdog = Math.round(Resources.metric(metrics, "edgenpu_watchdog_answers_total"));
    long listenerFailures =
        Math.round(Resources.metric(metrics, "edgenpu_scheduler_listener_failures_total"));

    // Graceful shutdown with traffic still coming: accepted requests finish, new ones get 503 or a
    // closed door.
    System.out.println("soak: SIGTERM to the service (pid " + pid + ") with traffic still coming");
    ProcessHandle service =
        ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
    phase.shutdownBegins();
    long termAt = System.nanoTime();
    AtomicLong exitedAt = new AtomicLong();
    CompletableFuture<?> unusedExit =
        service.onExit().thenRun(() -> exitedAt.set(System.nanoTime()));
    service.destroy();
    Thread.sleep(2_000);
    phase.stop();
    long waitUntil = System.nanoTime() + Phase.ANSWER_TIMEOUT_NANOS + 5_000_000_000L;
    while (outstanding(devices) > 0 && System.nanoTime() < waitUntil) {
      Thread.sleep(100);
    }
    chaos.closeSlowClient();
    boolean exited =
        service.onExit().completeOnTimeout(null, EXIT_GRACE_SECONDS, TimeUnit.SECONDS).join()
                != null
            || !service.isAlive();
    double exitSeconds =
        ((exitedAt.get() == 0 ? System.nanoTime() : exitedAt.get()) - termAt) / 1e9;
    devices.forEach(SimulatedDevice::close);
    channel.shutdownNow();
    timer.shutdownNow();
    chaosTimer.shutdownNow();
    samplerTimer.shutdownNow();

    List<Ledger> ledgers = List.of(rest, grpc, stream, ws);
    StringBuilder csv = new StringBuilder(Ledger.CSV_HEADER).append('\n');
    ledgers.forEach(l -> csv.append(l.csvRow()).append('\n'));
    Files.writeString(out.resolve("soak.csv"), csv);
    StringBuilder res = new StringBuilder(Resources.CSV_HEADER).append('\n');
    resources.samples().forEach(s -> res.append(s.csv()).append('\n'));
    Files.writeString(out.resolve("resources.csv"), res);

    List<String> failures = new ArrayList<>();
    for (Ledger l : ledgers) {
      if (l.unanswered.get() > 0) {
        failures.add(l.transport + ": " + l.unanswered.get() + " unanswered, e.g. " + l.lost());
      }
      if (l.undocumented5xxCount() > 0) {
        failures.add(l.transport + ": undocumented 5xx " + l.undocumented5xx());
      }
      if (l.sent.get() == 0) {
        failures.add(l.transport + ": nothing was sent");
      }
    }
    if (watchdog > 0) {
      failures.add("the gateway watchdog answered " + watchdog + " requests the device path lost");
    }
    failures.addAll(resources.growth());
    if (!exited) {
      failures.add("the service did not exit within " + EXIT_GRACE_SECONDS + " s of SIGTERM");
    }
    if (chaos.adminFailures() > 0) {
      failures.add(chaos.adminFailures() + " chaos calls (reload, unload, fault drills) failed");
    }

    System.out.println();
    System.out.println(
        "== soak ("
            + seconds
            + " s): "
            + Files.readString(out.resolve("soak.csv")).replace("\n", "\n   "));
    System.out.println(
        "cancelled by the clients themselves: "
            + cancelled.cancelled.get()
            + " ("
            + cancelled.answered()
            + " answered before the cancel landed); not sent (refused at shutdown): "
            + Map.of(
                "rest",
                rest.refused.get(),
                "grpc",
                grpc.refused.get(),
                "grpc-stream",
                stream.refused.get(),
                "websocket",
                ws.refused.get())
            + "; sockets that could not be opened (requests never sent): "
            + ws.connectFailures.get());
    System.out.println(
        "chaos: " + chaos.summary() + "; listener exceptions isolated: " + listenerFailures);
    System.out.printf(
        Locale.ROOT, "shutdown: the service exited %.1f s after SIGTERM%n", exitSeconds);
    System.out.println(
        "resources: "
            + out.resolve("resources.csv")
            + " ("
            + resources.samples().size()
            + " samples"
            + (sampleFailures.isEmpty() ? "" : ", " + sampleFailures.size() + " failed")
            + ")");
    if (failures.isEmpty()) {
      System.out.println(
          "PASS: every request answered, every 5xx a documented case, no watchdog answer, resources flat");
    } else {
      System.out.println("FAIL:");
      failures.forEach(f -> System.out.println("  - " + f));
    }
    System.exit(failures.isEmpty() ? 0 : 1);
  }

  private static ScheduledExecutorService pool(String name, int threads) {
    return Executors.newScheduledThreadPool(
        threads,
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  private static String progress(Ledger... ledgers) {
    StringBuilder b = new StringBuilder();
    for (Ledger l : ledgers) {
      b.append(b.length() == 0 ? "" : ", ").append(l.transport).append(' ').append(l.sent.get());
    }
    return b + " sent";
  }

  private static int outstanding(List<SimulatedDevice> devices) {
    return devices.stream().mapToInt(SimulatedDevice::outstanding).sum();
  }
}
