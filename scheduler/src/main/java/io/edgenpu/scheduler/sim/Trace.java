package io.edgenpu.scheduler.sim;

import io.edgenpu.scheduler.core.StagePlan;
import java.util.SplittableRandom;

/**
 * A seeded workload trace: arrival instants, sending devices and pre-drawn exit stages. Every
 * policy of an experiment runs on the same trace object, so they see identical requests. Immutable.
 */
public final class Trace {
  private final long[] arrivals;
  private final int[] devices;
  private final int[] exitStages;
  private final String description;

  private Trace(long[] arrivals, int[] devices, int[] exitStages, String description) {
    this.arrivals = arrivals;
    this.devices = devices;
    this.exitStages = exitStages;
    this.description = description;
  }

  /**
   * Draws {@code n} requests from independent streams of one seed (arrivals and exits do not
   * interfere).
   */
  public static Trace generate(
      long seed, int n, ArrivalProcess arrivals, ExitProcess exits, StagePlan plan) {
    SplittableRandom root = new SplittableRandom(seed);
    SplittableRandom arrivalRnd = root.split();
    SplittableRandom exitRnd = root.split();
    long[] t = new long[n];
    int[] d = new int[n];
    arrivals.generate(arrivalRnd, t, d);
    int[] e = new int[n];
    for (int i = 0; i < n; i++) {
      e[i] = plan.stageOfExit(exits.next(exitRnd));
    }
    return new Trace(t, d, e, arrivals.describe() + ", " + exits.describe() + ", seed " + seed);
  }

  /**
   * A given trace (a schedule replayed live, say): arrival instants in nanoseconds, non-decreasing;
   * sending devices; the stage each request's samples leave at. The arrays are copied.
   */
  public static Trace replay(long[] arrivals, int[] devices, int[] exitStages, String description) {
    if (arrivals.length == 0
        || devices.length != arrivals.length
        || exitStages.length != arrivals.length) {
      throw new IllegalArgumentException("a trace needs equally long, non-empty arrays");
    }
    for (int i = 1; i < arrivals.length; i++) {
      if (arrivals[i] < arrivals[i - 1]) {
        throw new IllegalArgumentException("arrivals must not decrease (index " + i + ")");
      }
    }
    return new Trace(arrivals.clone(), devices.clone(), exitStages.clone(), description);
  }

  public int size() {
    return arrivals.length;
  }

  public long arrival(int i) {
    return arrivals[i];
  }

  public int device(int i) {
    return devices[i];
  }

  public int exitStage(int i) {
    return exitStages[i];
  }

  /** Time of the last arrival, nanoseconds. */
  public long span() {
    return arrivals[arrivals.length - 1];
  }

  public String description() {
    return description;
  }
}
