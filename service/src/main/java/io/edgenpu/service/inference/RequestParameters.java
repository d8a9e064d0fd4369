package io.edgenpu.service.inference;

import java.util.Map;

/**
 * The request parameters the server acts on, validated. Others are accepted and ignored (the
 * protocol lets clients send any parameters).
 *
 * <ul>
 *   <li>{@code priority} (int, Triton schedule-policy extension): 1 = highest level, 0 = the
 *       model's default;
 *   <li>{@code timeout} (int, microseconds, Triton): the request's deadline, measured from its
 *       arrival;
 *   <li>{@code client_id} (string, ours): the device that sent the request (fairness, per-device
 *       metrics);
 *   <li>{@code exit_threshold} (number in (0, 1], ours): confidence threshold for every early exit
 *       of this request, overriding the model's;
 *   <li>{@code timeline} (bool, ours): return the request's scheduling timeline as the response
 *       parameter {@code timeline} (see {@link RequestTimeline}).
 * </ul>
 */
public record RequestParameters(
    int priority, long timeoutMicros, String clientId, double exitThreshold, boolean timeline) {
  public static final String PRIORITY = "priority";
  public static final String TIMEOUT = "timeout";
  public static final String CLIENT_ID = "client_id";
  public static final String EXIT_THRESHOLD = "exit_threshold";
  public static final String TIMELINE = "timeline";
  static final int MAX_CLIENT_ID_LENGTH = 128;

  public static RequestParameters parse(Map<String, Object> p) {
    int priority = (int) integer(p, PRIORITY, 0, 0, 1 << 20);
    long timeout = integer(p, TIMEOUT, 0, 0, 3_600_000_000L);
    Object c = p.get(CLIENT_ID);
    String client = "anonymous";
    if (c != null) {
      if (!(c instanceof String s) || s.isEmpty() || s.length() > MAX_CLIENT_ID_LENGTH) {
        throw InferenceException.invalid(
            "parameter '"
                + CLIENT_ID
                + "' must be a string of 1 to "
                + MAX_CLIENT_ID_LENGTH
                + " characters");
      }
      client = s;
    }
    double threshold = Double.NaN;
    Object t = p.get(EXIT_THRESHOLD);
    if (t != null) {
      if (!(t instanceof Number n) || !(n.doubleValue() > 0 && n.doubleValue() <= 1)) {
        throw InferenceException.invalid(
            "parameter '" + EXIT_THRESHOLD + "' must be a number in (0, 1]");
      }
      threshold = n.doubleValue();
    }
    Object tl = p.get(TIMELINE);
    if (tl != null && !(tl instanceof Boolean)) {
      throw InferenceException.invalid("parameter '" + TIMELINE + "' must be a boolean");
    }
    return new RequestParameters(priority, timeout, client, threshold, Boolean.TRUE.equals(tl));
  }

  private static long integer(Map<String, Object> p, String key, long def, long min, long max) {
    Object v = p.get(key);
    if (v == null) {
      return def;
    }
    long x;
    if (v instanceof Long || v instanceof Integer) {
      x = ((Number) v).longValue();
    } else if (v instanceof Double d && d == Math.rint(d) && !d.isInfinite()) {
      x = d.longValue();
    } else {
      throw InferenceException.invalid("parameter '" + key + "' must be an integer");
    }
    if (x < min || x > max) {
      throw InferenceException.invalid(
          "parameter '" + key + "' must be between " + min + " and " + max + ", got " + x);
    }
    return x;
  }
}
