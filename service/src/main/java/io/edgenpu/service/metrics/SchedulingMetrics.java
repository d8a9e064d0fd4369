package io.edgenpu.service.metrics;

import io.edgenpu.scheduler.core.FailureReason;
import io.edgenpu.scheduler.core.Request;
import io.edgenpu.scheduler.core.Sample;
import io.edgenpu.scheduler.core.SchedulerListener;
import io.edgenpu.service.backend.ModelInstance;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scheduler events as Micrometer meters (names in {@link MetricNames}). Meters are created once per
 * model (and stage, reason) and cached, so the hot path is a map lookup and an atomic add;
 * latencies go to fixed-bucket histograms (SLO-aligned), never client-side percentiles. Called on
 * device loops; thread-safe.
 */
public final class SchedulingMetrics implements SchedulerListener {
  /** SLO-aligned buckets for request, queue and compute durations. */
  static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(20),
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(500),
        Duration.ofSeconds(1),
    Duration.ofSeconds(2), Duration.ofSeconds(5)
  };

  private final MeterRegistry registry;
  private final String device;
  private final Map<String, ModelMeters> models = new ConcurrentHashMap<>();
  private final Map<String, ModelMeters> byVersion = new ConcurrentHashMap<>();

  /**
   * @param device the device whose scheduler this listens to; every meter carries it as tag {@code
   *     device}
   */
  public SchedulingMetrics(MeterRegistry registry, String device) {
    this.registry = registry;
    this.device = device;
  }

  /** The meters of one model version. */
  private final class ModelMeters {
    final String model;
    final String version;
    final Counter success;
    final Counter inferences;
    final Counter executions;
    final Timer duration;
    final Timer queue;
    final Timer compute;
    final Counter sloMet;
    final Counter sloMissed;
    final Counter preemptions;
    final Counter merges;
    final Counter resumes;
    final AtomicLong pending = new AtomicLong();
    final Map<String, Counter> failures = new ConcurrentHashMap<>();
    final Map<String, Counter> dropped = new ConcurrentHashMap<>();
    final Map<Integer, Counter> exits = new ConcurrentHashMap<>();
    final Map<Integer, DistributionSummary> batch = new ConcurrentHashMap<>();

    ModelMeters(String key) {
      int colon = key.lastIndexOf(':');
      model = colon < 0 ? key : key.substring(0, colon);
      version = colon < 0 ? "" : key.substring(colon + 1);
      success = counter(MetricNames.REQUEST_SUCCESS, "requests answered with a result");
      inferences = counter(MetricNames.INFERENCE_COUNT, "samples answered with a result");
      executions = counter(MetricNames.EXECUTION_COUNT, "batches that entered the model");
      duration = timer(MetricNames.REQUEST_DURATION, "arrival to answer");
      queue = timer(MetricNames.QUEUE_DURATION, "arrival to first stage start");
      compute = timer(MetricNames.COMPUTE_DURATION, "first stage start to answer");
      sloMet =
          Counter.builder(MetricNames.SLO)
              .tags(
                  MetricNames.TAG_MODEL,
                  model,
                  MetricNames.TAG_VERSION,
                  version,
                  MetricNames.TAG_DEVICE,
                  device,
                  MetricNames.TAG_RESULT,
                  "met")
              .description("requests with a deadline, by whether it was met")
              .register(registry);
      sloMissed =
          Counter.builder(MetricNames.SLO)
              .tags(
                  MetricNames.TAG_MODEL,
                  model,
                  MetricNames.TAG_VERSION,
                  version,
                  MetricNames.TAG_DEVICE,
                  device,
                  MetricNames.TAG_RESULT,
                  "missed")
              .description("requests with a deadline, by whether it was met")
              .register(registry);
      preemptions = counter(MetricNames.PREEMPTIONS, "running batches suspended for a catch-up");
      merges = counter(MetricNames.MERGES, "catch-up groups merged into the suspended batch");
      resumes = counter(MetricNames.RESUMES, "suspended batches resumed alone");
      Gauge.builder(MetricNames.PENDING_REQUESTS, pending, AtomicLong::get)
          .tags(
              MetricNames.TAG_MODEL,
              model,
              MetricNames.TAG_VERSION,
              version,
              MetricNames.TAG_DEVICE,
              device)
          .description("requests received and not yet answered")
          .register(registry);
    }

    Counter counter(String name, String description) {
      return Counter.builder(name)
          .tags(
              MetricNames.TAG_MODEL,
              model,
              MetricNames.TAG_VERSION,
              version,
              MetricNames.TAG_DEVICE,
              device)
          .description(description)
          .register(registry);
    }

    Timer timer(String name, String description) {
      return Timer.builder(name)
          .tags(
              MetricNames.TAG_MODEL,
              model,
              MetricNames.TAG_VERSION,
              version,
              MetricNames.TAG_DEVICE,
              device)
          .serviceLevelObjectives(LATENCY_BUCKETS)
          .description(description)
          .register(registry);
    }

    Counter failure(FailureReason reason) {
      return failures.computeIfAbsent(
          reason.name(),
          r ->
              Counter.builder(MetricNames.REQUEST_FAILURE)
                  .tags(
                      MetricNames.TAG_MODEL,
                      model,
                      MetricNames.TAG_VERSION,
                      version,
                      MetricNames.TAG_DEVICE,
                      device,
                      MetricNames.TAG_REASON,
                      r)
                  .description("requests answered with an error, by reason")
                  .register(registry));
    }

    Counter dropped(FailureReason reason, boolean running) {
      String phase = running ? "running" : "queued";
      return dropped.computeIfAbsent(
          reason.name() + "/" + phase,
          k ->
              Counter.builder(MetricNames.DROPPED)
                  .tags(
                      MetricNames.TAG_MODEL,
                      model,
                      MetricNames.TAG_VERSION,
                      version,
                      MetricNames.TAG_DEVICE,
                      device,
                      MetricNames.TAG_REASON,
                      reason.name(),
                      MetricNames.TAG_PHASE,
                      phase)
                  .description("samples dropped before or during execution")
                  .register(registry));
    }

    Counter exits(int stage) {
      return exits.computeIfAbsent(
          stage,
          s ->
              Counter.builder(MetricNames.EXITS)
                  .tags(
                      MetricNames.TAG_MODEL,
                      model,
                      MetricNames.TAG_VERSION,
                      version,
                      MetricNames.TAG_DEVICE,
                      device,
                      MetricNames.TAG_STAGE,
                      Integer.toString(s))
                  .description("samples that left at this stage's exit")
                  .register(registry));
    }

    DistributionSummary batch(int stage) {
      return batch.computeIfAbsent(
          stage,
          s ->
              DistributionSummary.builder(MetricNames.BATCH_SIZE)
                  .tags(
                      MetricNames.TAG_MODEL,
                      model,
                      MetricNames.TAG_VERSION,
                      version,
                      MetricNames.TAG_DEVICE,
                      device,
                      MetricNames.TAG_STAGE,
                      Integer.toString(s))
                  .serviceLevelObjectives(1, 2, 4, 8, 16, 32)
                  .description("samples per executed stage batch")
                  .register(registry));
    }
  }

  /**
   * The meters of a lane key ({@code name:version#generation}): one set per version, shared across
   * reloads.
   */
  private ModelMeters meters(String modelKey) {
    return models.computeIfAbsent(
        modelKey, k -> byVersion.computeIfAbsent(ModelInstance.versionKeyOf(k), ModelMeters::new));
  }

  @Override
  public void onQueued(Request r, long nowNanos) {
    meters(r.model()).pending.incrementAndGet();
  }

  @Override
  public void onRequestFinished(Request r, long nowNanos) {
    ModelMeters m = meters(r.model());
    if (r.failure() != null) {
      m.failure(r.failure()).increment();
    } else {
      long done = r.completedNanos();
      long firstStart = Long.MAX_VALUE;
      for (Sample s : r.samples()) {
        firstStart = Math.min(firstStart, s.firstStartNanos());
      }
      m.success.increment();
      m.inferences.increment(r.sampleCount());
      m.duration.record(done - r.arrivalNanos(), TimeUnit.NANOSECONDS);
      m.queue.record(firstStart - r.arrivalNanos(), TimeUnit.NANOSECONDS);
      m.compute.record(done - firstStart, TimeUnit.NANOSECONDS);
      if (r.hasDeadline()) {
        (done <= r.deadlineNanos() ? m.sloMet : m.sloMissed).increment();
      }
    }
    if (r.failure() != null && r.hasDeadline()) {
      m.sloMissed.increment();
    }
    if (r.wasQueued()) {
      m.pending.decrementAndGet();
    }
  }

  @Override
  public void onStageStart(
      String model, int stage, int size, int masked, boolean catchUp, long nowNanos) {
    ModelMeters m = meters(model);
    m.batch(stage).record(size);
    if (stage == 0) {
      m.executions.increment();
    }
  }

  @Override
  public void onSampleExit(Sample s, int stage, long nowNanos) {
    meters(s.request().model()).exits(stage).increment();
  }

  @Override
  public void onPreempt(String model, int stage, int live, int incoming, long nowNanos) {
    meters(model).preemptions.increment();
  }

  @Override
  public void onMerge(String model, int stage, int mergedSize, long nowNanos) {
    meters(model).merges.increment();
  }

  @Override
  public void onResume(String model, int stage, long nowNanos) {
    meters(model).resumes.increment();
  }

  @Override
  public void onSampleDropped(Sample s, FailureReason reason, boolean whileRunning, long nowNanos) {
    meters(s.request().model()).dropped(reason, whileRunning).increment();
  }
}
