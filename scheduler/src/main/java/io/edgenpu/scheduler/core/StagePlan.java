package io.edgenpu.scheduler.core;

import java.util.Arrays;

/**
 * What the scheduler knows of a model's structure: an ordered list of stages (the units the device
 * executes one at a time) and which of them end in an exit point. A plain model has one stage; an
 * early-exit model has a stage per backbone segment with an exit head after some of them. The last
 * stage is always an exit (every sample that reaches it leaves there). Immutable.
 */
public final class StagePlan {
  private final int stageCount;
  private final boolean[] exitAfter;
  private final int[] exitIndexOfStage;
  private final int exitCount;

  /**
   * @param exitAfter for each stage, whether an exit head follows it; the last entry is forced to
   *     true
   */
  public StagePlan(boolean[] exitAfter) {
    if (exitAfter.length == 0) {
      throw new IllegalArgumentException("a model needs at least one stage");
    }
    this.stageCount = exitAfter.length;
    this.exitAfter = exitAfter.clone();
    this.exitAfter[stageCount - 1] = true;
    this.exitIndexOfStage = new int[stageCount];
    int e = 0;
    for (int s = 0; s < stageCount; s++) {
      exitIndexOfStage[s] = this.exitAfter[s] ? e++ : -1;
    }
    this.exitCount = e;
  }

  /** A single-stage model (no early exits). */
  public static StagePlan single() {
    return new StagePlan(new boolean[] {true});
  }

  /** A model of {@code stages} stages, each followed by an exit. */
  public static StagePlan exitAfterEveryStage(int stages) {
    boolean[] b = new boolean[stages];
    Arrays.fill(b, true);
    return new StagePlan(b);
  }

  public int stageCount() {
    return stageCount;
  }

  public int lastStage() {
    return stageCount - 1;
  }

  public boolean isExitPoint(int stage) {
    return exitAfter[stage];
  }

  /** Number of exits including the final one. */
  public int exitCount() {
    return exitCount;
  }

  /** Index of the exit that follows {@code stage} (0-based), or -1 if none does. */
  public int exitIndexOf(int stage) {
    return exitIndexOfStage[stage];
  }

  /** The stage that exit {@code exitIndex} follows. */
  public int stageOfExit(int exitIndex) {
    for (int s = 0; s < stageCount; s++) {
      if (exitIndexOfStage[s] == exitIndex) {
        return s;
      }
    }
    throw new IllegalArgumentException("no exit " + exitIndex);
  }

  /**
   * The deepest stage that is an exit point before the final one, or -1 for models without early
   * exits.
   */
  public int lastIntermediateExitStage() {
    for (int s = stageCount - 2; s >= 0; s--) {
      if (exitAfter[s]) {
        return s;
      }
    }
    return -1;
  }

  @Override
  public String toString() {
    return "StagePlan" + Arrays.toString(exitAfter);
  }
}
