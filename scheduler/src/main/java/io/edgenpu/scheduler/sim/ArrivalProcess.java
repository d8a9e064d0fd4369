package io.edgenpu.scheduler.sim;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Generates request arrival times (nanoseconds from 0, non-decreasing) and the device each comes
 * from. Implementations are deterministic given the random source.
 */
public interface ArrivalProcess {
  /**
   * Fills {@code times} (arrival instants) and {@code devices} (device index) for {@code
   * times.length} requests.
   */
  void generate(SplittableRandom rnd, long[] times, int[] devices);

  /** Human-readable description, for result tables. */
  String describe();

  private static long exp(SplittableRandom rnd, double meanNanos) {
    return Math.max(1, Math.round(-Math.log(1 - rnd.nextDouble()) * meanNanos));
  }

  /**
   * Poisson arrivals at {@code ratePerSecond} in total, from {@code devices} devices with equal
   * shares.
   */
  static ArrivalProcess poisson(double ratePerSecond, int devices) {
    return new ArrivalProcess() {
      @Override
      public void generate(SplittableRandom rnd, long[] times, int[] dev) {
        double mean = 1e9 / ratePerSecond;
        long t = 0;
        for (int i = 0; i < times.length; i++) {
          t += exp(rnd, mean);
          times[i] = t;
          dev[i] = rnd.nextInt(devices);
        }
      }

      @Override
      public String describe() {
        return String.format(Locale.ROOT, "poisson(%.1f/s, %d devices)", ratePerSecond, devices);
      }
    };
  }

  /**
   * A two-state Markov-modulated Poisson process: {@code baseRate} for exponential dwell times of
   * mean {@code baseDwellSeconds}, then {@code spikeRate} for exponential dwell times of mean
   * {@code spikeDwellSeconds}.
   */
  static ArrivalProcess mmpp(
      double baseRate,
      double spikeRate,
      double baseDwellSeconds,
      double spikeDwellSeconds,
      int devices) {
    return new ArrivalProcess() {
      @Override
      public void generate(SplittableRandom rnd, long[] times, int[] dev) {
        boolean spike = false;
        long t = 0;
        long switchAt = exp(rnd, baseDwellSeconds * 1e9);
        for (int i = 0; i < times.length; i++) {
          while (true) {
            double rate = spike ? spikeRate : baseRate;
            long next = t + exp(rnd, 1e9 / rate);
            if (next < switchAt) {
              t = next;
              break;
            }
            // Memoryless: restart the inter-arrival at the state switch.
            t = switchAt;
            spike = !spike;
            switchAt = t + exp(rnd, (spike ? spikeDwellSeconds : baseDwellSeconds) * 1e9);
          }
          times[i] = t;
          dev[i] = rnd.nextInt(devices);
        }
      }

      @Override
      public String describe() {
        return String.format(
            Locale.ROOT,
            "mmpp(base %.1f/s for %.1fs, spike %.1f/s for %.1fs)",
            baseRate,
            baseDwellSeconds,
            spikeRate,
            spikeDwellSeconds);
      }
    };
  }

  /**
   * {@code devices} periodic devices at {@code fps} frames per second each, with ±{@code jitter}
   * relative jitter.
   */
  static ArrivalProcess periodic(int devices, double fps, double jitter) {
    return new ArrivalProcess() {
      @Override
      public void generate(SplittableRandom rnd, long[] times, int[] dev) {
        double period = 1e9 / fps;
        long[] next = new long[devices];
        for (int d = 0; d < devices; d++) {
          next[d] = (long) (rnd.nextDouble() * period);
        }
        for (int i = 0; i < times.length; i++) {
          int best = 0;
          for (int d = 1; d < devices; d++) {
            if (next[d] < next[best]) {
              best = d;
            }
          }
          times[i] = next[best];
          dev[i] = best;
          next[best] += Math.max(1, Math.round(period * (1 + jitter * (2 * rnd.nextDouble() - 1))));
        }
      }

      @Override
      public String describe() {
        return String.format(
            Locale.ROOT, "periodic(%d devices at %.1f fps ±%.0f%%)", devices, fps, jitter * 100);
      }
    };
  }

  /**
   * Replays recorded arrival instants (nanoseconds), cycling with the trace's span if more are
   * asked for.
   */
  static ArrivalProcess replay(long[] recorded, int[] recordedDevices, String name) {
    long[] t = recorded.clone();
    Arrays.sort(t);
    return new ArrivalProcess() {
      @Override
      public void generate(SplittableRandom rnd, long[] times, int[] dev) {
        long span = t[t.length - 1] - t[0] + 1;
        for (int i = 0; i < times.length; i++) {
          int k = i % t.length;
          times[i] = t[k] - t[0] + (i / t.length) * span;
          dev[i] = recordedDevices == null ? 0 : recordedDevices[k];
        }
      }

      @Override
      public String describe() {
        return "replay(" + name + ", " + t.length + " arrivals)";
      }
    };
  }
}
