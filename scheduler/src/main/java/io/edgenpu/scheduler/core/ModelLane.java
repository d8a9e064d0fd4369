package io.edgenpu.scheduler.core;

import io.edgenpu.scheduler.policy.BatchPolicy;
import io.edgenpu.scheduler.policy.PolicyContext;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One model's share of a device: its stage plan, latency oracle, exit statistics, batching policy
 * and queue. Doubles as the {@link PolicyContext} handed to its policy. Owned by a {@link
 * DeviceScheduler}; used on its event loop only.
 */
public final class ModelLane implements PolicyContext {
  /**
   * Per-model scheduling settings. Immutable.
   *
   * @param maxBatchSize largest batch on the device, >= 1
   * @param queueLevels one queue policy per priority level (index 0 = level 1, the highest)
   * @param defaultPriority level (1-based) for requests without one
   * @param order order inside a level
   * @param dropLate whether samples whose deadline passed are dropped (queued or at the next stage
   *     boundary) instead of being served late
   * @param defaultSlo latency target of requests without a deadline; {@link Duration#ZERO} = none
   * @param admission refuse at arrival a request whose predicted completion is after its deadline
   *     ({@link AdmissionPredictor})
   */
  public record Config(
      int maxBatchSize,
      List<QueuePolicy> queueLevels,
      int defaultPriority,
      SampleQueue.Order order,
      boolean dropLate,
      Duration defaultSlo,
      boolean admission) {
    public Config {
      if (maxBatchSize < 1) {
        throw new IllegalArgumentException("maxBatchSize must be >= 1");
      }
      queueLevels = List.copyOf(queueLevels);
      Objects.requireNonNull(order);
      Objects.requireNonNull(defaultSlo);
    }

    /** One unbounded FIFO level, no late dropping, no SLO. */
    public static Config simple(int maxBatchSize) {
      return new Config(
          maxBatchSize,
          List.of(QueuePolicy.UNBOUNDED),
          1,
          SampleQueue.Order.FIFO,
          false,
          Duration.ZERO,
          false);
    }

    public Config withDropLate(boolean drop) {
      return new Config(
          maxBatchSize, queueLevels, defaultPriority, order, drop, defaultSlo, admission);
    }

    public Config withDefaultSlo(Duration slo) {
      return new Config(
          maxBatchSize, queueLevels, defaultPriority, order, dropLate, slo, admission);
    }

    public Config withOrder(SampleQueue.Order o) {
      return new Config(
          maxBatchSize, queueLevels, defaultPriority, o, dropLate, defaultSlo, admission);
    }

    public Config withAdmission(boolean on) {
      return new Config(
          maxBatchSize, queueLevels, defaultPriority, order, dropLate, defaultSlo, on);
    }
  }

  private final String model;
  private final StagePlan plan;
  private final LatencyOracle oracle;
  private final ExitStatistics exits;
  private final BatchPolicy policy;
  private final Config config;
  private final SampleQueue queue;
  private @Nullable DeviceScheduler device;

  public ModelLane(
      String model,
      StagePlan plan,
      LatencyOracle oracle,
      ExitStatistics exits,
      BatchPolicy policy,
      Config config) {
    this.model = Objects.requireNonNull(model);
    this.plan = Objects.requireNonNull(plan);
    this.oracle = Objects.requireNonNull(oracle);
    this.exits = Objects.requireNonNull(exits);
    this.policy = Objects.requireNonNull(policy);
    this.config = Objects.requireNonNull(config);
    if (exits.plan() != plan && exits.plan().stageCount() != plan.stageCount()) {
      throw new IllegalArgumentException("exit statistics are for another plan");
    }
    SampleQueue.Order order =
        policy.requiredQueueOrder() != null ? policy.requiredQueueOrder() : config.order();
    this.queue =
        new SampleQueue(config.queueLevels(), config.defaultPriority(), order, config.dropLate());
  }

  void attach(DeviceScheduler device) {
    if (this.device != null && this.device != device) {
      throw new IllegalStateException("lane " + model + " already belongs to a device");
    }
    this.device = device;
  }

  @Override
  public long now() {
    return device().now();
  }

  private DeviceScheduler device() {
    return Objects.requireNonNull(device, "lane " + model + " is not on a device yet");
  }

  @Override
  public String model() {
    return model;
  }

  @Override
  public StagePlan plan() {
    return plan;
  }

  @Override
  public LatencyOracle oracle() {
    return oracle;
  }

  @Override
  public ExitStatistics exits() {
    return exits;
  }

  @Override
  public int maxBatchSize() {
    return config.maxBatchSize();
  }

  @Override
  public long defaultSloNanos() {
    return config.defaultSlo().toNanos();
  }

  @Override
  public SampleQueue queue() {
    return queue;
  }

  @Override
  public boolean hasSuspendedBatch() {
    return device().hasSuspendedBatch();
  }

  public BatchPolicy policy() {
    return policy;
  }

  public Config config() {
    return config;
  }
}
