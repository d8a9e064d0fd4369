package io.edgenpu.loadtests.soak;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Requests of a message-based transport (gRPC, WebSocket) waiting for their answer, by id. An
 * answer removes its request; {@link #expire} turns requests older than the answer timeout into
 * unanswered ones.
 */
final class Pending {
  private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
  private final Ledger ledger;

  Pending(Ledger ledger) {
    this.ledger = ledger;
  }

  void sent(String id) {
    sentAt.put(id, System.nanoTime());
    ledger.sent();
  }

  /** True if the id was waiting (its answer counts); false for an unknown or already settled id. */
  boolean settle(String id) {
    return sentAt.remove(id) != null;
  }

  /** Sent at, or null once settled. */
  @Nullable Long sentAt(String id) {
    return sentAt.get(id);
  }

  void expire(long nowNanos) {
    for (Map.Entry<String, Long> e : List.copyOf(sentAt.entrySet())) {
      if (nowNanos - e.getValue() > Phase.ANSWER_TIMEOUT_NANOS
          && sentAt.remove(e.getKey()) != null) {
        ledger.unanswered(ledger.transport + " " + e.getKey() + ": no answer within 30 s");
      }
    }
  }

  /**
   * The connection that carried the waiting requests is gone: those sent before shutdown began end
   * unanswered; those sent after it may never have been read (refused, not sent).
   */
  void lostAll(String why, Phase phase) {
    for (Map.Entry<String, Long> e : List.copyOf(sentAt.entrySet())) {
      if (sentAt.remove(e.getKey()) != null) {
        if (phase.shuttingDownAt(e.getValue())) {
          ledger.sent.decrementAndGet();
          ledger.refused();
        } else {
          ledger.unanswered(ledger.transport + " " + e.getKey() + ": " + why);
        }
      }
    }
  }

  /**
   * Forgets every waiting request (the client cancelled them itself): no longer sent here; returns
   * how many.
   */
  int cancelAll() {
    int n = 0;
    for (String id : List.copyOf(sentAt.keySet())) {
      if (sentAt.remove(id) != null) {
        ledger.sent.decrementAndGet();
        n++;
      }
    }
    return n;
  }

  int size() {
    return sentAt.size();
  }
}
