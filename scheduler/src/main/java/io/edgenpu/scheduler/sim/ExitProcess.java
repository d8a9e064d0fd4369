package io.edgenpu.scheduler.sim;

import io.edgenpu.scheduler.core.StagePlan;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Draws the stage at which each sample will exit (its exit is known in advance in simulation). */
public interface ExitProcess {
  /** The exit index (0-based, over the model's exits) of the next sample. */
  int next(SplittableRandom rnd);

  /**
   * Cumulative exit fractions F_e (one per exit, last = 1) this process produces, for the
   * scheduler's prior.
   */
  double[] cumulative();

  String describe();

  /**
   * A categorical distribution given by cumulative exit fractions (docs/papers/fluid-batching.md).
   */
  static ExitProcess categorical(double[] cumulative) {
    double[] f = cumulative.clone();
    f[f.length - 1] = 1.0;
    return new ExitProcess() {
      @Override
      public int next(SplittableRandom rnd) {
        double u = rnd.nextDouble();
        for (int e = 0; e < f.length; e++) {
          if (u < f[e]) {
            return e;
          }
        }
        return f.length - 1;
      }

      @Override
      public double[] cumulative() {
        return f.clone();
      }

      @Override
      public String describe() {
        return "categorical" + Arrays.toString(f);
      }
    };
  }

  /** Draws uniformly from a per-sample trace of exit indices recorded on a real model. */
  static ExitProcess trace(int[] exits, int exitCount, String name) {
    double[] f = new double[exitCount];
    for (int e : exits) {
      f[e]++;
    }
    double acc = 0;
    for (int e = 0; e < exitCount; e++) {
      acc += f[e] / exits.length;
      f[e] = acc;
    }
    f[exitCount - 1] = 1.0;
    return new ExitProcess() {
      @Override
      public int next(SplittableRandom rnd) {
        return exits[rnd.nextInt(exits.length)];
      }

      @Override
      public double[] cumulative() {
        return f.clone();
      }

      @Override
      public String describe() {
        return "trace(" + name + ", " + exits.length + " samples)";
      }
    };
  }

  /** Converts an exit index to the stage it follows. */
  static int stageOfExit(StagePlan plan, int exitIndex) {
    return plan.stageOfExit(exitIndex);
  }
}
