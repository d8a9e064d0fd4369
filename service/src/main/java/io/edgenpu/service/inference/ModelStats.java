package io.edgenpu.service.inference;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Cumulative statistics of one model version, with the semantics of Triton's statistics extension:
 * {@code inferenceCount} counts samples (batch rows) answered successfully, {@code executionCount}
 * counts batches the device started for the model (so their ratio is the mean batch size at entry),
 * durations are summed nanoseconds. Thread-safe, lock-free on the hot path.
 */
public final class ModelStats {
  /** A cumulative count and duration. */
  public static final class Duration {
    private final LongAdder count = new LongAdder();
    private final LongAdder nanos = new LongAdder();

    public void add(long ns) {
      count.increment();
      nanos.add(Math.max(0, ns));
    }

    public long count() {
      return count.sum();
    }

    public long nanos() {
      return nanos.sum();
    }
  }

  /** Per executed batch size: stage executions and their device time. */
  public static final class BatchStats {
    public final Duration computeInfer = new Duration();
  }

  public final Duration success = new Duration();
  public final Duration fail = new Duration();
  public final Duration queue = new Duration();
  public final Duration computeInput = new Duration();
  public final Duration computeInfer = new Duration();
  public final Duration computeOutput = new Duration();
  private final LongAdder inferenceCount = new LongAdder();
  private final LongAdder executionCount = new LongAdder();
  private final Map<Integer, BatchStats> batches = new ConcurrentHashMap<>();
  private volatile long lastInferenceMillis;

  public void recordSuccess(int samples, long totalNanos, long queueNanos, long computeNanos) {
    success.add(totalNanos);
    queue.add(queueNanos);
    computeInfer.add(computeNanos);
    inferenceCount.add(samples);
    lastInferenceMillis = System.currentTimeMillis();
  }

  public void recordFailure(long totalNanos) {
    fail.add(totalNanos);
    lastInferenceMillis = System.currentTimeMillis();
  }

  /** A batch entered the model (stage 0 started with {@code size} samples). */
  public void recordExecution() {
    executionCount.increment();
  }

  /** One stage execution of {@code size} samples took {@code deviceNanos}. */
  public void recordStage(int size, long deviceNanos) {
    batches.computeIfAbsent(size, k -> new BatchStats()).computeInfer.add(deviceNanos);
  }

  public long inferenceCount() {
    return inferenceCount.sum();
  }

  public long executionCount() {
    return executionCount.sum();
  }

  public long lastInferenceMillis() {
    return lastInferenceMillis;
  }

  /** Per batch size statistics, ordered by size. */
  public Map<Integer, BatchStats> batchStats() {
    return new TreeMap<>(batches);
  }
}
