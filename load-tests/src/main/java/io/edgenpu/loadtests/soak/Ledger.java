package io.edgenpu.loadtests.soak;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one transport sent and what came back. A request is <em>sent</em> once its bytes left the
 * client (a refused connection during shutdown is not a send). Each sent request ends in exactly
 * one of: an answer (by HTTP status class; gRPC codes are mapped to the HTTP status the REST API
 * gives for the same case), cancelled by the client itself, or <em>unanswered</em> (the client's
 * own timeout passed with nothing back). Thread-safe.
 */
final class Ledger {
  final String transport;
  final AtomicLong sent = new AtomicLong();
  final AtomicLong status2xx = new AtomicLong();
  final AtomicLong status4xx = new AtomicLong();
  final AtomicLong status5xx = new AtomicLong();
  final AtomicLong late = new AtomicLong();
  final AtomicLong cancelled = new AtomicLong();
  final AtomicLong unanswered = new AtomicLong();
  final AtomicLong refused = new AtomicLong();
  final AtomicLong connectFailures = new AtomicLong();
  private final List<String> undocumented = Collections.synchronizedList(new ArrayList<>());
  private final List<String> lost = Collections.synchronizedList(new ArrayList<>());

  Ledger(String transport) {
    this.transport = transport;
  }

  void sent() {
    sent.incrementAndGet();
  }

  /**
   * An answer with this HTTP status (or the status the REST API gives for the gRPC code) and error
   * text.
   */
  void answered(int status, String error) {
    if (status < 300) {
      status2xx.incrementAndGet();
    } else if (status < 500) {
      status4xx.incrementAndGet();
    } else {
      status5xx.incrementAndGet();
      if (status == 504) {
        late.incrementAndGet();
      }
      if (!documented5xx(status, error)) {
        if (undocumented.size() < 20) {
          undocumented.add(status + " " + error);
        }
      }
    }
  }

  void cancelledByClient() {
    cancelled.incrementAndGet();
  }

  void unanswered(String what) {
    unanswered.incrementAndGet();
    if (lost.size() < 20) {
      lost.add(what);
    }
  }

  /**
   * The client could not send at all (connection refused or closed before the request left:
   * shutdown).
   */
  void refused() {
    refused.incrementAndGet();
  }

  /**
   * The connection for a request could not be opened (handshake refused or timed out): refused, and
   * remembered as an availability problem of its own.
   */
  void connectFailed(String what) {
    if (connectFailures.incrementAndGet() == 1) {
      System.out.println("soak: " + what);
    }
  }

  long answered() {
    return status2xx.get() + status4xx.get() + status5xx.get();
  }

  List<String> undocumented5xx() {
    synchronized (undocumented) {
      return List.copyOf(undocumented);
    }
  }

  long undocumented5xxCount() {
    return undocumented5xx().size();
  }

  List<String> lost() {
    synchronized (lost) {
      return List.copyOf(lost);
    }
  }

  /**
   * The 5xx cases the README documents: 503 (model not ready or being unloaded, shutting down,
   * device cut off by its breaker, bulkhead or time limit), 504 (deadline passed) and 500 for a
   * failing device ("device X failed: ..."). Anything else (an internal error, the gateway
   * watchdog) is a defect.
   */
  static boolean documented5xx(int status, String error) {
    String e = error == null ? "" : error.toLowerCase(Locale.ROOT);
    return switch (status) {
      case 503 -> true;
      case 504 -> !e.contains("watchdog");
      case 500 -> e.startsWith("device ") && e.contains(" failed");
      default -> false;
    };
  }

  String csvRow() {
    return String.join(
        ",",
        transport,
        Long.toString(sent.get()),
        Long.toString(answered()),
        Long.toString(unanswered.get()),
        Long.toString(status2xx.get()),
        Long.toString(status4xx.get()),
        Long.toString(status5xx.get()),
        Long.toString(late.get()));
  }

  static final String CSV_HEADER =
      "transport,sent,answered,unanswered,status_2xx,status_4xx,status_5xx,late";
}
