package io.edgenpu.scheduler.core;

import org.jspecify.annotations.Nullable;

/**
 * One batch row of a request: the unit that the scheduler batches, that exits, and that can join or
 * leave a running batch. Mutable; owned by the device's event loop thread once submitted.
 *
 * <p>{@link #state()} belongs to the {@link Accelerator}: it holds the sample's input, its
 * intermediate activations between stages and finally its outputs. The scheduler never reads it.
 */
public final class Sample {
  private final Request request;
  private final int index;
  private final int plannedExitStage;
  private @Nullable Object state;
  private int nextStage;
  private int exitStage = -1;
  private long enqueuedNanos;
  private long firstStartNanos = -1;
  private long doneNanos = -1;
  boolean queued;

  /**
   * Start tag in fair queueing (virtual time) and arrival order, set when queued at a FAIR level.
   */
  double fairTag;

  long fairSeq;

  /** The stage where a masked sample exited; -1 while it is not masked. */
  private int maskedExitStage = -1;

  /**
   * @param plannedExitStage stage at which the sample will exit, known in advance only in
   *     simulation (a pre-drawn or replayed exit); -1 when exits are decided by real computation
   */
  public Sample(Request request, int index, @Nullable Object initialState, int plannedExitStage) {
    this.request = request;
    this.index = index;
    this.state = initialState;
    this.plannedExitStage = plannedExitStage;
  }

  public Request request() {
    return request;
  }

  /** Row index inside the request. */
  public int index() {
    return index;
  }

  public @Nullable Object state() {
    return state;
  }

  /** Accelerator-side: replace the state (e.g. with the stage's output activations). */
  public void setState(@Nullable Object state) {
    this.state = state;
  }

  public int plannedExitStage() {
    return plannedExitStage;
  }

  /** The stage this sample runs next (0 before its first stage). */
  public int nextStage() {
    return nextStage;
  }

  void setNextStage(int s) {
    this.nextStage = s;
  }

  /** Stage after which the sample exited; -1 while still running. */
  public int exitStage() {
    return exitStage;
  }

  void markExited(int stage, long nowNanos) {
    this.exitStage = stage;
    this.doneNanos = nowNanos;
  }

  public long enqueuedNanos() {
    return enqueuedNanos;
  }

  void setEnqueuedNanos(long t) {
    this.enqueuedNanos = t;
  }

  /** When this sample's first stage started; -1 if it never ran. */
  public long firstStartNanos() {
    return firstStartNanos;
  }

  void markStarted(long t) {
    if (firstStartNanos < 0) {
      firstStartNanos = t;
    }
  }

  /** When the sample's result became final (its exit), -1 if not yet. */
  public long doneNanos() {
    return doneNanos;
  }

  public boolean hasExited() {
    return exitStage >= 0;
  }

  /**
   * True for a sample that exited but still rides in an EE-unaware (masked) batch until its end.
   */
  public boolean isMasked() {
    return maskedExitStage >= 0;
  }

  int maskedExitStage() {
    return maskedExitStage;
  }

  /** The sample exited at {@code stage} but rides on, masked, until its batch ends. */
  void mask(int stage) {
    this.maskedExitStage = stage;
  }

  @Override
  public String toString() {
    return "Sample["
        + request.id()
        + "#"
        + index
        + " next="
        + nextStage
        + " exit="
        + exitStage
        + "]";
  }
}
