package io.edgenpu.service.inference;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What happened to one request, for debugging tail latency: arrival, admission to the queue, every
 * stage batch each of its samples joined (stage, batch size, catch-up or not, device time), exits
 * and the response. Recorded only when the request asks for it (parameter {@code timeline: true});
 * returned as the response parameter {@code timeline}, a JSON array of events with {@code t_us} =
 * microseconds since arrival. Thread-safe (events come from the device loop, the response is built
 * on another thread).
 */
public final class RequestTimeline {
  private final long arrivalNanos;
  private final List<Map<String, Object>> events = new ArrayList<>();

  public RequestTimeline(long arrivalNanos) {
    this.arrivalNanos = arrivalNanos;
    add(arrivalNanos, "arrival", Map.of());
  }

  /**
   * Adds an event at {@code nanos} (the server's monotonic clock) with its details (numbers,
   * strings, booleans).
   */
  public synchronized void add(long nanos, String event, Map<String, Object> details) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("t_us", Math.round((nanos - arrivalNanos) / 1e3 * 10) / 10.0);
    e.put("event", event);
    e.putAll(details);
    events.add(e);
  }

  public synchronized List<Map<String, Object>> events() {
    return List.copyOf(events);
  }

  /** The events as a compact JSON array (keys and string values need no escaping beyond quotes). */
  public synchronized String toJson() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < events.size(); i++) {
      b.append(i == 0 ? "{" : ",{");
      boolean first = true;
      for (Map.Entry<String, Object> f : events.get(i).entrySet()) {
        b.append(first ? "" : ",").append('"').append(f.getKey()).append("\":");
        Object v = f.getValue();
        if (v instanceof String s) {
          b.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        } else {
          b.append(v);
        }
        first = false;
      }
      b.append('}');
    }
    return b.append(']').toString();
  }
}
