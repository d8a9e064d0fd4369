package io.edgenpu.scheduler.core;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Start-time fair queueing tags for one queue level: a sample of client c with weight w gets start
 * tag S = max(V, F_c) and advances its client's finish tag to F_c = S + 1/w; the level serves the
 * smallest start tag, and V (virtual time) becomes the start tag of the sample served last. A
 * client that stops sending is forgotten once V passes its finish tag. Single-threaded (device
 * loop).
 */
final class FairTags {
  private static final int PURGE_ABOVE = 256;

  private final Map<String, Double> finishByClient = new HashMap<>();
  private double virtualTime;
  private long seq;

  void tag(Sample s) {
    Request r = s.request();
    double start = Math.max(virtualTime, finishByClient.getOrDefault(r.clientId(), 0.0));
    s.fairTag = start;
    s.fairSeq = seq++;
    finishByClient.put(r.clientId(), start + 1.0 / r.weight());
    if (finishByClient.size() > PURGE_ABOVE) {
      purgeIdleClients();
    }
  }

  void served(Sample s) {
    virtualTime = Math.max(virtualTime, s.fairTag);
  }

  private void purgeIdleClients() {
    Iterator<Double> it = finishByClient.values().iterator();
    while (it.hasNext()) {
      if (it.next() <= virtualTime) {
        it.remove();
      }
    }
  }
}
