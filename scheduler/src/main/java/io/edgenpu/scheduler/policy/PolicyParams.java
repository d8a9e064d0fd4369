package io.edgenpu.scheduler.policy;

import io.edgenpu.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Typed, strict access to a policy's parameters (from a model config file or a command line). Every
 * key must be read by the policy's factory; {@link #requireAllUsed()} rejects the rest, so a typo
 * is an error, not a silent default.
 */
public final class PolicyParams {
  private final String policy;
  private final Map<String, ?> values;
  private final Set<String> used = new HashSet<>();

  public PolicyParams(String policy, @Nullable Map<String, ?> values) {
    this.policy = policy;
    this.values = values == null ? Map.of() : values;
  }

  private @Nullable Object raw(String key) {
    used.add(key);
    return values.get(key);
  }

  public int getInt(String key, int def) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return n.intValue();
    }
    try {
      return Integer.parseInt(v.toString().trim());
    } catch (NumberFormatException e) {
      throw bad(key, v, "an integer");
    }
  }

  public double getDouble(String key, double def) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    try {
      return Double.parseDouble(v.toString().trim());
    } catch (NumberFormatException e) {
      throw bad(key, v, "a number");
    }
  }

  public boolean getBoolean(String key, boolean def) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    String s = v.toString().trim();
    if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(s);
    }
    throw bad(key, v, "true or false");
  }

  /**
   * A duration given as a number of microseconds, or a string like {@code 500us}, {@code 2ms},
   * {@code 1s}.
   */
  public Duration getDuration(String key, Duration def) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    try {
      return parseDuration(v);
    } catch (IllegalArgumentException e) {
      throw bad(key, v, "a duration such as 500us, 2ms or 1s");
    }
  }

  /** A number is microseconds; a string follows {@link Durations#parse}. */
  private static Duration parseDuration(Object v) {
    if (v instanceof Number n) {
      return Durations.parse(n.toString());
    }
    return Durations.parse(v.toString());
  }

  public List<Integer> getIntList(String key, List<Integer> def) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    List<Integer> out = new ArrayList<>();
    if (v instanceof List<?> l) {
      for (Object o : l) {
        try {
          out.add(o instanceof Number n ? n.intValue() : Integer.parseInt(o.toString().trim()));
        } catch (NumberFormatException e) {
          throw bad(key, v, "a list of integers");
        }
      }
    } else {
      for (String part : v.toString().split(",", -1)) {
        if (!part.isBlank()) {
          try {
            out.add(Integer.parseInt(part.trim()));
          } catch (NumberFormatException e) {
            throw bad(key, v, "a list of integers");
          }
        }
      }
    }
    return out;
  }

  public <E extends Enum<E>> E getEnum(String key, Class<E> type, E def) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    String s = v.toString().trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(s)) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    throw bad(key, v, "one of " + names);
  }

  /** Throws if a parameter was given that the policy does not read. */
  public void requireAllUsed() {
    Set<String> unknown = new TreeSet<>(values.keySet());
    unknown.removeAll(used);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown parameter(s) "
              + unknown
              + " for policy '"
              + policy
              + "'; known: "
              + new TreeSet<>(used));
    }
  }

  private IllegalArgumentException bad(String key, Object v, String expected) {
    return new IllegalArgumentException(
        "policy '" + policy + "' parameter '" + key + "' = '" + v + "': expected " + expected);
  }
}
