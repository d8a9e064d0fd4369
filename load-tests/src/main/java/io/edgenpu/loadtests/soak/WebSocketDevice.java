package io.edgenpu.loadtests.soak;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A device on the WebSocket stream ({@code /v2/stream}): one socket, one JSON request per message
 * naming its model, answers matched by id; error answers carry {@code status}. Every {@code
 * abortEverySeconds} the socket is aborted with requests in flight (the client's own cancellations)
 * and reopened.
 */
final class WebSocketDevice extends SimulatedDevice {
  private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*(\\d+)");

  private final Ledger ledger;
  private final Ledger cancelled;
  private final HttpClient client;
  private final URI uri;
  private final Pending pending;
  private @Nullable WebSocket socket;

  WebSocketDevice(
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
      int abortEverySeconds) {
    super(name, requests, phase, rate, timer, seed);
    this.ledger = ledger;
    this.cancelled = cancelled;
    this.client = client;
    this.uri = URI.create("ws://127.0.0.1:" + port + "/v2/stream");
    this.pending = new Pending(ledger);
    Future<?> unused =
        timer.scheduleWithFixedDelay(
            () -> pending.expire(System.nanoTime()), 1, 1, TimeUnit.SECONDS);
    if (abortEverySeconds > 0) {
      Future<?> unusedCancels =
          timer.scheduleWithFixedDelay(
              this::abort, abortEverySeconds, abortEverySeconds, TimeUnit.SECONDS);
    }
  }

  private synchronized WebSocket socket() {
    if (socket == null) {
      socket =
          client
              .newWebSocketBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .buildAsync(uri, new Listener())
              .join();
    }
    return socket;
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public @Nullable CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        answer(text.toString());
        text.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      ended(ws, "socket closed by the server (" + statusCode + " " + reason + ")");
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      ended(ws, "socket failed: " + error);
    }
  }

  private void answer(String message) {
    Matcher id = ID.matcher(message);
    if (!id.find() || !pending.settle(id.group(1))) {
      return;
    }
    Matcher status = STATUS.matcher(message);
    if (message.contains("\"error\"") && status.find()) {
      ledger.answered(Integer.parseInt(status.group(1)), errorOf(message));
    } else {
      ledger.answered(200, "");
    }
  }

  private synchronized void ended(WebSocket ws, String why) {
    if (socket == ws) {
      socket = null;
      pending.lostAll(why, phase);
    }
  }

  /**
   * Aborts the socket with whatever is in flight: those requests are the client's own
   * cancellations.
   */
  private synchronized void abort() {
    if (socket == null || phase.stopped()) {
      return;
    }
    WebSocket ws = socket;
    socket = null;
    int inFlight = pending.cancelAll();
    for (int i = 0; i < inFlight; i++) {
      cancelled.sent();
      cancelled.cancelledByClient();
    }
    ws.abort();
  }

  @Override
  protected synchronized void send(String model, String id) {
    String message =
        requests.json(model, id, name).replaceFirst("\\{", "{\"model_name\":\"" + model + "\",");
    WebSocket ws;
    try {
      ws = socket();
    } catch (RuntimeException e) {
      // The socket could not be opened (handshake refused or timed out): the request never
      // reached the service, so it is refused, not lost; counted and reported apart.
      ledger.connectFailed("websocket " + id + ": could not open the socket: " + e);
      return;
    }
    try {
      pending.sent(id);
      ws.sendText(message, true).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (pending.settle(id)) {
        ledger.sent.decrementAndGet();
      }
      if (phase.shuttingDown()) {
        ledger.refused();
      } else {
        ledger.sent();
        ledger.unanswered("websocket " + id + ": could not send: " + e);
      }
      socket = null;
    }
  }

  @Override
  synchronized void close() {
    if (socket != null) {
      socket.abort();
      socket = null;
    }
    pending.lostAll("no answer when the soak ended", phase);
  }

  @Override
  int outstanding() {
    return pending.size();
  }
}
