package io.edgenpu.loadtests.soak;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Everything that goes wrong during the soak, on a schedule (all over loopback, through the
 * server's own APIs): model reloads and unload/load cycles, backend faults (fail, hang, slow)
 * cycling over the devices, a scheduler listener that throws for a while, and one client that
 * pipelines requests and never reads its answers.
 */
final class Chaos {
  private static final List<String> DEVICES = List.of("npu", "butterfly", "cpu");
  private static final List<String> MODES = List.of("fail", "hang", "slow");

  private final HttpClient client;
  private final String base;
  private final int port;
  private final Phase phase;
  private final ScheduledExecutorService timer;
  private final List<Future<?>> periodic = new ArrayList<>();
  private final AtomicLong reloads = new AtomicLong();
  private final AtomicLong unloads = new AtomicLong();
  private final AtomicLong faults = new AtomicLong();
  private final AtomicLong listenerBursts = new AtomicLong();
  private final AtomicLong adminFailures = new AtomicLong();
  private volatile boolean on = true;
  private int nextFault;
  private @Nullable Socket slowClient;

  Chaos(HttpClient client, int port, Phase phase, ScheduledExecutorService timer) {
    this.client = client;
    this.base = "http://127.0.0.1:" + port;
    this.port = port;
    this.phase = phase;
    this.timer = timer;
  }

  void start() {
    periodic.add(
        timer.scheduleWithFixedDelay(
            () -> {
              if (on) {
                admin("/v2/repository/models/digits-cnn/load", "", reloads);
              }
            },
            3,
            5,
            TimeUnit.SECONDS));
    periodic.add(timer.scheduleWithFixedDelay(this::unloadAndLoadSimple, 7, 20, TimeUnit.SECONDS));
    periodic.add(timer.scheduleWithFixedDelay(this::fault, 2, 6, TimeUnit.SECONDS));
    periodic.add(timer.scheduleWithFixedDelay(this::listenerBurst, 5, 10, TimeUnit.SECONDS));
    Thread slow = new Thread(this::slowClient, "soak-slow-client");
    slow.setDaemon(true);
    slow.start();
  }

  private void unloadAndLoadSimple() {
    if (!on) {
      return;
    }
    admin("/v2/repository/models/simple/unload", "", unloads);
    Future<?> unused =
        timer.schedule(
            () -> admin("/v2/repository/models/simple/load", "", null), 2, TimeUnit.SECONDS);
  }

  /**
   * One device's backend fails, hangs or is slowed for 1.5 s, then heals. Devices and modes cycle.
   */
  private synchronized void fault() {
    if (!on) {
      return;
    }
    String device = DEVICES.get(nextFault % DEVICES.size());
    String mode = MODES.get((nextFault / DEVICES.size()) % MODES.size());
    nextFault++;
    admin(
        "/v2/admin/faults",
        "{\"device\":\"" + device + "\",\"mode\":\"" + mode + "\",\"delay_ms\":30}",
        faults);
    Future<?> unused =
        timer.schedule(
            () ->
                admin(
                    "/v2/admin/faults", "{\"device\":\"" + device + "\",\"mode\":\"none\"}", null),
            1500,
            TimeUnit.MILLISECONDS);
  }

  private void listenerBurst() {
    if (!on) {
      return;
    }
    admin("/v2/admin/faults", "{\"listener\":true}", listenerBursts);
    Future<?> unused =
        timer.schedule(
            () -> admin("/v2/admin/faults", "{\"listener\":false}", null), 2, TimeUnit.SECONDS);
  }

  /** Pipelines requests on one connection and never reads an answer, until the soak ends. */
  private void slowClient() {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      synchronized (this) {
        slowClient = s;
      }
      OutputStream out = s.getOutputStream();
      byte[] request =
          "GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < 100_000 && !phase.stopped(); i++) {
        out.write(request); // blocks once the server stops reading it: that is the point
      }
    } catch (IOException e) {
      // closed by the soak at its end, or by the server: either way this client is done
    }
  }

  private void admin(String path, String body, @Nullable AtomicLong counter) {
    try {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create(base + path))
                  .timeout(Duration.ofSeconds(60))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        adminFailures.incrementAndGet();
        System.err.println("chaos: " + path + " answered " + r.statusCode() + " " + r.body());
      } else if (counter != null) {
        counter.incrementAndGet();
      }
    } catch (IOException e) {
      adminFailures.incrementAndGet();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Heals everything and stops the chaos (traffic goes on). */
  void stop() {
    on = false;
    periodic.forEach(f -> f.cancel(false));
    admin("/v2/admin/faults", "{\"clear\":true}", null);
    admin("/v2/repository/models/simple/load", "", null);
  }

  /** Closes the slow client's connection. */
  synchronized void closeSlowClient() {
    if (slowClient != null) {
      try {
        slowClient.close();
      } catch (IOException e) {
        // closing
      }
    }
  }

  String summary() {
    return "reloads "
        + reloads
        + ", unload/load cycles "
        + unloads
        + ", backend faults "
        + faults
        + ", throwing-listener bursts "
        + listenerBursts
        + ", admin calls that failed "
        + adminFailures;
  }

  long adminFailures() {
    return adminFailures.get();
  }
}
