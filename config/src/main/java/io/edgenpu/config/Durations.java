package io.edgenpu.config;

import java.time.Duration;
import java.util.Locale;

/**
 * Parses durations written as {@code 250ns}, {@code 500us}, {@code 20ms}, {@code 1.5s}; a bare
 * number is microseconds.
 */
public final class Durations {
  private Durations() {}

  public static Duration parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    double mult;
    String num;
    if (s.endsWith("ns")) {
      mult = 1;
      num = s.substring(0, s.length() - 2);
    } else if (s.endsWith("us") || s.endsWith("µs")) {
      mult = 1e3;
      num = s.substring(0, s.length() - 2);
    } else if (s.endsWith("ms")) {
      mult = 1e6;
      num = s.substring(0, s.length() - 2);
    } else if (s.endsWith("s")) {
      mult = 1e9;
      num = s.substring(0, s.length() - 1);
    } else {
      mult = 1e3;
      num = s;
    }
    double d;
    try {
      d = Double.parseDouble(num.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a duration: " + text);
    }
    if (d < 0 || Double.isNaN(d) || Double.isInfinite(d) || d * mult > Long.MAX_VALUE / 2.0) {
      throw new IllegalArgumentException("not a valid duration: " + text);
    }
    return Duration.ofNanos(Math.round(d * mult));
  }

  /** Shortest readable form: {@code 1500us}, {@code 20ms}. */
  public static String format(Duration d) {
    long ns = d.toNanos();
    if (ns % 1_000_000 == 0) {
      return ns / 1_000_000 + "ms";
    }
    if (ns % 1_000 == 0) {
      return ns / 1_000 + "us";
    }
    return ns + "ns";
  }
}
