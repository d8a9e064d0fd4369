package io.edgenpu.service.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.service.testing.ToyServerTestBase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.1 keep-alive with clients that reuse one connection for mixed requests: an inference
 * (answered from a device thread) followed by model-ready checks (answered on the event loop) must
 * never leave a request on the connection unanswered. Before responses were moved onto the
 * connection's own event loop ({@link ConnectionLoop}), the second GET after a POST stalled in 1-6
 * % of such sequences until the client gave up. Two different clients, 2,000 sequences each, zero
 * stalls allowed (each request waits at most 5 s).
 */
class KeepAliveIntegrationTest extends ToyServerTestBase {
  private static final int SEQUENCES = 2_000;
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /**
   * A broken server stops the run after this many stalls, so a regression fails in seconds, not
   * minutes.
   */
  private static final int MAX_STALLS = 3;

  private static final String BODY =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"INT64\",\"data\":[1,2,3]}]}";

  @Test
  void jdkHttpClientNeverStallsOnAReusedConnection() throws Exception {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();
    URI infer = URI.create("http://127.0.0.1:" + httpPort + "/v2/models/echo-int/infer");
    URI ready = URI.create("http://127.0.0.1:" + httpPort + "/v2/models/echo-int/ready");
    List<String> stalls = new ArrayList<>();
    for (int i = 0; i < SEQUENCES && stalls.size() < MAX_STALLS; i++) {
      HttpRequest[] sequence = {
        HttpRequest.newBuilder(infer)
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(BODY))
            .build(),
        HttpRequest.newBuilder(ready).timeout(TIMEOUT).GET().build(),
        HttpRequest.newBuilder(ready).timeout(TIMEOUT).GET().build(),
        HttpRequest.newBuilder(infer)
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(BODY))
            .build()
      };
      for (int k = 0; k < sequence.length; k++) {
        try {
          HttpResponse<String> r = client.send(sequence[k], HttpResponse.BodyHandlers.ofString());
          assertThat(r.statusCode())
              .as("sequence %d request %d: %s", i, k, r.body())
              .isEqualTo(200);
        } catch (HttpTimeoutException e) {
          stalls.add("sequence " + i + " request " + k);
        }
      }
    }
    assertThat(stalls).as("requests left unanswered on a reused connection").isEmpty();
  }

  @Test
  void rawSocketClientNeverStallsOnOneConnection() throws Exception {
    List<String> stalls = new ArrayList<>();
    int done = 0;
    while (done < SEQUENCES && stalls.size() < MAX_STALLS) {
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), httpPort)) {
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        socket.setTcpNoDelay(true);
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        // Up to 500 sequences on one connection; a stall ends the connection (its state is unknown
        // then).
        for (int n = 0; n < 500 && done < SEQUENCES; n++, done++) {
          try {
            send(out, "POST", "/v2/models/echo-int/infer", BODY);
            assertThat(readStatus(in)).isEqualTo(200);
            send(out, "GET", "/v2/models/echo-int/ready", null);
            assertThat(readStatus(in)).isEqualTo(200);
            send(out, "GET", "/v2/models/echo-int/ready", null);
            assertThat(readStatus(in)).isEqualTo(200);
          } catch (SocketTimeoutException e) {
            stalls.add("sequence " + done);
            done++;
            break;
          }
        }
      }
    }
    assertThat(stalls).as("requests left unanswered on one keep-alive connection").isEmpty();
  }

  private void send(OutputStream out, String method, String path, String body) throws IOException {
    byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    String head =
        method
            + " "
            + path
            + " HTTP/1.1\r\nHost: 127.0.0.1:"
            + httpPort
            + "\r\n"
            + (body == null
                ? ""
                : "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\n")
            + "\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(b);
    out.flush();
  }

  /** Reads one response (status line, headers, Content-Length body); returns its status. */
  private static int readStatus(InputStream in) throws IOException {
    String status = line(in);
    int length = 0;
    for (String h = line(in); !h.isEmpty(); h = line(in)) {
      if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(h.substring(15).trim());
      }
    }
    in.readNBytes(length);
    return Integer.parseInt(status.split(" ", -1)[1]);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed by the server");
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.US_ASCII);
  }
}
