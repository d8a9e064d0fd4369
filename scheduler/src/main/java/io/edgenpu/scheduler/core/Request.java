package io.edgenpu.scheduler.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * An inference request as the scheduler sees it: a model, timing constraints, a priority, the
 * client device it came from, and one {@link Sample} per batch row. It is answered exactly once,
 * through its {@link RequestListener}: completed when every sample has exited, or failed.
 *
 * <p>Thread-safety: construction and {@link #cancel()} may happen on any thread; everything else
 * happens on the event loop of the device that owns it.
 */
public final class Request {
  /** Deadline value meaning "none". */
  public static final long NO_DEADLINE = Long.MAX_VALUE;

  private final long id;
  private final String model;
  private final long arrivalNanos;
  private final long deadlineNanos;
  private final long queueTimeoutNanos;
  private final int priority;
  private final String clientId;
  private final double weight;
  private final RequestListener listener;
  private final List<Sample> samples;
  private final @Nullable Object attachment;
  private volatile boolean cancelRequested;
  private int remaining;
  private boolean finished;
  private boolean queued;
  private @Nullable FailureReason failure;

  private Request(Builder b) {
    this.id = b.id;
    this.model = Objects.requireNonNull(b.model, "model");
    this.arrivalNanos = b.arrivalNanos;
    this.deadlineNanos = b.deadlineNanos;
    this.queueTimeoutNanos = b.queueTimeoutNanos;
    this.priority = b.priority;
    this.clientId = b.clientId;
    this.weight = b.weight;
    this.listener = Objects.requireNonNull(b.listener, "listener");
    this.attachment = b.attachment;
    if (b.sampleCount <= 0) {
      throw new IllegalArgumentException("a request needs at least one sample");
    }
    List<Sample> s = new ArrayList<>(b.sampleCount);
    for (int i = 0; i < b.sampleCount; i++) {
      @Nullable Object state = b.stateOfSample == null ? null : b.stateOfSample.apply(i);
      int exit = b.plannedExitOfSample == null ? -1 : b.plannedExitOfSample.apply(i);
      s.add(new Sample(this, i, state, exit));
    }
    this.samples = Collections.unmodifiableList(s);
    this.remaining = b.sampleCount;
  }

  public static Builder builder(String model, RequestListener listener) {
    return new Builder(model, listener);
  }

  public long id() {
    return id;
  }

  /** Key of the model (lane) the request is for. */
  public String model() {
    return model;
  }

  public long arrivalNanos() {
    return arrivalNanos;
  }

  /** Absolute deadline on the scheduler's clock, or {@link #NO_DEADLINE}. */
  public long deadlineNanos() {
    return deadlineNanos;
  }

  public boolean hasDeadline() {
    return deadlineNanos != NO_DEADLINE;
  }

  /** Queue timeout override in nanoseconds, 0 for the queue policy's default. */
  public long queueTimeoutNanos() {
    return queueTimeoutNanos;
  }

  /** Priority level, 1 = highest; 0 = the model's default level. */
  public int priority() {
    return priority;
  }

  /** The device that sent it (for fairness and per-device metrics); never null. */
  public String clientId() {
    return clientId;
  }

  /** Share of its client in fair queueing ({@link SampleQueue.Order#FAIR}); > 0, default 1. */
  public double weight() {
    return weight;
  }

  public List<Sample> samples() {
    return samples;
  }

  public int sampleCount() {
    return samples.size();
  }

  /**
   * Caller-owned context object (e.g. the gateway's per-request trace); the scheduler ignores it.
   */
  public @Nullable Object attachment() {
    return attachment;
  }

  /**
   * Asks for cancellation; the owning scheduler acts on it at its next chance. Thread-safe,
   * idempotent.
   */
  public void cancel() {
    cancelRequested = true;
  }

  public boolean isCancelRequested() {
    return cancelRequested;
  }

  public boolean isFinished() {
    return finished;
  }

  /** Whether the request was ever accepted into a queue (false for requests refused at arrival). */
  public boolean wasQueued() {
    return queued;
  }

  void markQueued() {
    queued = true;
  }

  /** The failure, once failed; null otherwise. */
  public @Nullable FailureReason failure() {
    return failure;
  }

  /** Latest exit time over the samples: when the request was answered; -1 if not completed. */
  public long completedNanos() {
    if (!finished || failure != null) {
      return -1;
    }
    long t = -1;
    for (Sample s : samples) {
      t = Math.max(t, s.doneNanos());
    }
    return t;
  }

  /**
   * Marks one sample done; completes the request when it was the last. Returns true if it completed
   * now.
   */
  boolean sampleExited(Sample s) {
    if (finished) {
      return false;
    }
    listener.onSampleExited(s);
    if (--remaining == 0) {
      finished = true;
      listener.onCompleted(this);
      return true;
    }
    return false;
  }

  /** Fails the request once; later calls are ignored. Returns true if this call failed it. */
  boolean fail(FailureReason reason, String message) {
    if (finished) {
      return false;
    }
    finished = true;
    failure = reason;
    listener.onFailed(this, reason, message);
    return true;
  }

  @Override
  public String toString() {
    return "Request[" + id + " " + model + " n=" + samples.size() + "]";
  }

  /** Builder; not thread-safe. */
  public static final class Builder {
    private long id;
    private final String model;
    private final RequestListener listener;
    private long arrivalNanos;
    private long deadlineNanos = NO_DEADLINE;
    private long queueTimeoutNanos;
    private int priority;
    private String clientId = "anonymous";
    private double weight = 1;
    private int sampleCount = 1;
    private @Nullable IntFunction<@Nullable Object> stateOfSample;
    private @Nullable IntFunction<Integer> plannedExitOfSample;
    private @Nullable Object attachment;

    private Builder(String model, RequestListener listener) {
      this.model = model;
      this.listener = listener;
    }

    public Builder id(long id) {
      this.id = id;
      return this;
    }

    public Builder arrivalNanos(long t) {
      this.arrivalNanos = t;
      return this;
    }

    public Builder deadlineNanos(long t) {
      this.deadlineNanos = t;
      return this;
    }

    public Builder queueTimeoutNanos(long t) {
      if (t < 0) {
        throw new IllegalArgumentException("negative queue timeout");
      }
      this.queueTimeoutNanos = t;
      return this;
    }

    public Builder priority(int level) {
      if (level < 0) {
        throw new IllegalArgumentException("priority level must be >= 0");
      }
      this.priority = level;
      return this;
    }

    /**
     * Sets the client's fair-queueing weight.
     *
     * @param weight the client's share in fair queueing, > 0
     */
    public Builder weight(double weight) {
      if (!(weight > 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException("weight must be a positive finite number");
      }
      this.weight = weight;
      return this;
    }

    public Builder clientId(String clientId) {
      this.clientId = Objects.requireNonNull(clientId);
      return this;
    }

    public Builder samples(int count, IntFunction<@Nullable Object> stateOfSample) {
      this.sampleCount = count;
      this.stateOfSample = stateOfSample;
      return this;
    }

    /** Simulation only: the stage at which each sample will exit. */
    public Builder plannedExits(IntFunction<Integer> plannedExitOfSample) {
      this.plannedExitOfSample = plannedExitOfSample;
      return this;
    }

    public Builder attachment(@Nullable Object attachment) {
      this.attachment = attachment;
      return this;
    }

    public Request build() {
      return new Request(this);
    }
  }
}
