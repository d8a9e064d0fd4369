package io.edgenpu.repository;

import io.edgenpu.npu.butterfly.ButterflyNetwork;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A model's {@code config.yaml}, validated. Paths are relative to a version folder. Immutable.
 *
 * @param maxBatchSize the largest batch the device runs for this model (requests may carry more
 *     rows; they are split into samples)
 * @param device device name this model runs on (e.g. {@code npu}, {@code cpu})
 * @param slo latency target; also the deadline of requests that carry no {@code timeout}; zero =
 *     none
 * @param inputs empty = derived from the graph
 * @param graph the single graph of a plain model, null otherwise
 * @param stages the stages of an early-exit model, empty otherwise
 * @param exitPrior optional cumulative exit fractions (one per exit), a prior for the scheduler
 * @param butterfly the network's shape for the butterfly accelerator's cost model; null when not
 *     given
 * @param warmup how the model is warmed up before it serves
 */
public record ModelConfig(
    String name,
    ModelKind kind,
    String description,
    int maxBatchSize,
    String device,
    VersionPolicy versionPolicy,
    Duration slo,
    List<TensorSpec> inputs,
    List<TensorSpec> outputs,
    @Nullable String graph,
    List<StageConfig> stages,
    double @Nullable [] exitPrior,
    SchedulingConfig scheduling,
    @Nullable ButterflyNetwork butterfly,
    Warmup warmup,
    Path directory) {

  /**
   * Warm-up before a version serves (Triton's {@code model_warmup}): every stage runs once at each
   * batch size.
   *
   * @param enabled false skips it (the first requests then pay for first-run allocations)
   * @param batchSizes the batch sizes to run; empty = every size from 1 to max-batch-size
   * @param sample an OIP inference request (JSON) in the model's folder whose first row is the
   *     warm-up sample, repeated to each batch size; null = zeros (grey for images)
   */
  public record Warmup(boolean enabled, List<Integer> batchSizes, @Nullable String sample) {
    public static final Warmup DEFAULT = new Warmup(true, List.of(), null);

    public Warmup {
      batchSizes = List.copyOf(batchSizes);
    }
  }

  /** One stage of an early-exit model; {@code exitGraph} null when no exit follows the stage. */
  public record StageConfig(String graph, @Nullable String exitGraph, double threshold) {}

  /** Which numeric version folders to load. */
  public record VersionPolicy(Kind kind, List<Long> versions) {
    public enum Kind {
      LATEST,
      ALL,
      SPECIFIC
    }

    public static final VersionPolicy LATEST = new VersionPolicy(Kind.LATEST, List.of());
  }

  /**
   * Scheduler settings of the model.
   *
   * @param queueLevels per priority level: max queued samples (0 = unbounded) and queue timeout
   * @param order order inside a priority level
   * @param admission refuse at once a request whose predicted completion is after its deadline
   */
  public record SchedulingConfig(
      String policy,
      Map<String, Object> parameters,
      List<QueueLevel> queueLevels,
      int defaultPriority,
      boolean dropLate,
      QueueOrder order,
      boolean admission) {}

  /** Order inside one priority level of a model's queue. */
  public enum QueueOrder {
    /** arrival order */
    FIFO,
    /** earliest deadline first */
    EARLIEST_DEADLINE,
    /** weighted fair across client devices, arrival order within one (the default) */
    FAIR;

    /** The YAML spelling: fifo, earliest-deadline, fair. */
    public String yamlName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  public record QueueLevel(int maxSize, Duration timeout, boolean allowTimeoutOverride) {}

  /**
   * This config on another device (a deployment's override of the config file's {@code device}).
   */
  public ModelConfig withDevice(String otherDevice) {
    return new ModelConfig(
        name,
        kind,
        description,
        maxBatchSize,
        otherDevice,
        versionPolicy,
        slo,
        inputs,
        outputs,
        graph,
        stages,
        exitPrior,
        scheduling,
        butterfly,
        warmup,
        directory);
  }

  public boolean isEarlyExit() {
    return kind == ModelKind.EARLY_EXIT;
  }

  /**
   * The one graph file of a model that is not early-exit.
   *
   * @throws IllegalStateException for an early-exit model (its graphs are its stages')
   */
  public String singleGraph() {
    if (graph == null) {
      throw new IllegalStateException(
          "model " + name + " is early-exit: its graphs are its stages'");
    }
    return graph;
  }

  /** Number of scheduler stages: 1 for a plain model. */
  public int stageCount() {
    return kind == ModelKind.EARLY_EXIT ? stages.size() : 1;
  }
}
