package io.edgenpu.loadtests.soak;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A device on REST: OIP JSON infer requests over a pooled HTTP/1.1 keep-alive client (the JDK's).
 * Every {@code disconnectEvery}-th request instead goes over a raw socket that is closed 0-20 ms
 * after the request is sent (the client going away mid-request).
 */
final class RestDevice extends SimulatedDevice {
  private final Ledger ledger;
  private final HttpClient client;
  private final String base;
  private final int port;
  private final int disconnectEvery;
  private final AtomicInteger outstanding = new AtomicInteger();
  private final Ledger cancelled;
  private int count;

  RestDevice(
      String name,
      Requests requests,
      Phase phase,
      double rate,
      ScheduledExecutorService timer,
      long seed,
      Ledger ledger,
      Ledger cancelled,
      HttpClient client,
      int port,
      int disconnectEvery) {
    super(name, requests, phase, rate, timer, seed);
    this.ledger = ledger;
    this.cancelled = cancelled;
    this.client = client;
    this.port = port;
    this.base = "http://127.0.0.1:" + port;
    this.disconnectEvery = disconnectEvery;
  }

  @Override
  protected void send(String model, String id) {
    String body = requests.json(model, id, name);
    if (disconnectEvery > 0 && ++count % disconnectEvery == 0) {
      disconnect(model, body);
      return;
    }
    long sent = System.nanoTime();
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(base + "/v2/models/" + model + "/infer"))
            .timeout(Duration.ofNanos(Phase.ANSWER_TIMEOUT_NANOS))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    outstanding.incrementAndGet();
    CompletableFuture<?> unused =
        client
            .sendAsync(r, HttpResponse.BodyHandlers.ofString())
            .whenComplete(
                (response, error) -> {
                  outstanding.decrementAndGet();
                  if (response != null) {
                    ledger.sent();
                    ledger.answered(response.statusCode(), errorOf(response.body()));
                    return;
                  }
                  Throwable e =
                      error instanceof CompletionException c && c.getCause() != null
                          ? c.getCause()
                          : error;
                  if (e instanceof ConnectException
                      || (phase.shuttingDownAt(sent)
                          && e instanceof IOException
                          && !(e instanceof HttpTimeoutException))) {
                    ledger
                        .refused(); // the door was closed (shutdown): the request never reached the
                    // server's handler
                  } else {
                    ledger.sent();
                    ledger.unanswered("rest " + id + " (" + model + "): " + e);
                  }
                });
  }

  /** Sends the request on a fresh socket and closes it before the answer can come back. */
  private void disconnect(String model, String body) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /v2/models/"
                  + model
                  + "/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + "Content-Length: "
                  + b.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(b);
      out.flush();
      Thread.sleep(rnd.nextInt(20));
      cancelled.sent();
      cancelled.cancelledByClient();
    } catch (IOException e) {
      cancelled.refused();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  int outstanding() {
    return outstanding.get();
  }
}
