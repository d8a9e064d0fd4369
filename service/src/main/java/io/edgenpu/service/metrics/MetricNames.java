package io.edgenpu.service.metrics;

/**
 * Every metric name and tag key the service publishes, in one place (metric names are an API).
 * Dotted lowercase Micrometer names; Prometheus renders them with underscores (and {@code
 * _total}/{@code _seconds} suffixes). {@code docs/metrics.md} documents each one; a test keeps the
 * two in sync.
 */
public final class MetricNames {
  private MetricNames() {}

  public static final String PREFIX = "edgenpu";

  // Tag keys.
  public static final String TAG_DEVICE = "device";
  public static final String TAG_STACKING = "k";
  public static final String TAG_PRECISION = "precision";
  public static final String TAG_MODEL = "model";
  public static final String TAG_VERSION = "version";
  public static final String TAG_REASON = "reason";
  public static final String TAG_STAGE = "stage";
  public static final String TAG_RESULT = "result";
  public static final String TAG_PHASE = "phase";

  // Requests (Triton's semantics where they overlap).
  /** Requests answered with a result (counter). */
  public static final String REQUEST_SUCCESS = PREFIX + ".request.success";

  /**
   * Requests answered with an error, by reason: REJECTED, QUEUE_TIMEOUT, DEADLINE_EXCEEDED,
   * CANCELLED, BACKEND, UNAVAILABLE (counter).
   */
  public static final String REQUEST_FAILURE = PREFIX + ".request.failure";

  /**
   * Samples (batch rows) answered with a result (counter); compare with executions for the mean
   * batch size.
   */
  public static final String INFERENCE_COUNT = PREFIX + ".inference.count";

  /**
   * Batches that entered a model on the device (stage 0 executions, fresh or catch-up) (counter).
   */
  public static final String EXECUTION_COUNT = PREFIX + ".execution.count";

  /** Requests received and not yet answered (gauge). */
  public static final String PENDING_REQUESTS = PREFIX + ".pending.requests";

  /** Arrival to answer, seconds (histogram with SLO-aligned buckets). */
  public static final String REQUEST_DURATION = PREFIX + ".request.duration";

  /** Arrival to the first stage start, seconds (histogram). */
  public static final String QUEUE_DURATION = PREFIX + ".queue.duration";

  /** First stage start to answer, seconds (histogram). */
  public static final String COMPUTE_DURATION = PREFIX + ".compute.duration";

  /** Requests with a deadline, by whether it was met (counter; result = met | missed). */
  public static final String SLO = PREFIX + ".slo";

  // Scheduler.
  /** Samples per executed stage batch, by stage (histogram): batch occupancy. */
  public static final String BATCH_SIZE = PREFIX + ".batch.size";

  /** Samples that left at each stage's exit (counter). */
  public static final String EXITS = PREFIX + ".exits";

  /** Running batches suspended so that queued samples catch up (counter). */
  public static final String PREEMPTIONS = PREFIX + ".preemptions";

  /** Catch-up groups merged into the suspended batch: freed slots refilled (counter). */
  public static final String MERGES = PREFIX + ".merges";

  /**
   * Catch-up groups that all exited before merging; the suspended batch resumed alone (counter).
   */
  public static final String RESUMES = PREFIX + ".resumes";

  /**
   * Samples dropped before or during execution, by reason and phase = queued | running (counter).
   */
  public static final String DROPPED = PREFIX + ".dropped";

  // Client devices (fairness).
  /** Requests per client device and outcome (counter; tags client, class, outcome). */
  public static final String CLIENT_REQUESTS = PREFIX + ".client.requests";

  /**
   * Requests with a deadline per client device, met or missed (counter; tags client, class,
   * result).
   */
  public static final String CLIENT_SLO = PREFIX + ".client.slo";

  // Devices.
  /** Seconds a device was held busy executing stages (counter; rate = utilisation). */
  public static final String DEVICE_BUSY = PREFIX + ".device.busy";

  /** Busy time / wall time since the device started (gauge, 0..1). */
  public static final String DEVICE_UTILIZATION = PREFIX + ".device.utilization";

  /** Samples waiting in the device's queues (gauge). */
  public static final String DEVICE_QUEUED = PREFIX + ".device.queued.samples";

  // Emulated NPU.
  /** Useful MACs / MAC slots of the emulated NPU's array over everything it ran (gauge, 0..1). */
  public static final String NPU_MAC_UTILIZATION = PREFIX + ".npu.mac.utilization";

  /** Stacking factor k of the stage executed last (gauge). */
  public static final String NPU_STACKING = PREFIX + ".npu.stacking.factor";

  /** Modelled NPU seconds spent with stacking factor k dominant (counter, tag k). */
  public static final String NPU_STACKING_TIME = PREFIX + ".npu.stacking.time";

  /**
   * Modelled NPU seconds of integer-arithmetic samples (NAWQ-SR tiles) per precision (counter, tag
   * precision).
   */
  public static final String NPU_PRECISION_TIME = PREFIX + ".npu.precision.time";

  /** Modelled NPU seconds (unscaled) (counter). */
  public static final String NPU_MODELLED_TIME = PREFIX + ".npu.modelled.time";

  /** Stages whose host computation outlasted their modelled NPU time (counter). */
  public static final String NPU_OVERRUNS = PREFIX + ".npu.overruns";

  // ---- reliability: each is 0 or flat in a healthy server (docs/resilience.md)
  /** ONNX Runtime sessions open in the process (gauge): flat unless models are loaded. */
  public static final String ORT_SESSIONS = PREFIX + ".ort.sessions";

  /**
   * Requests the gateway's watchdog answered because the device path never did (counter; 0 when
   * healthy).
   */
  public static final String WATCHDOG_ANSWERS = PREFIX + ".watchdog.answers";

  /** Tasks on a device's event loop that threw; the loop went on (counter). */
  public static final String LOOP_FAILURES = PREFIX + ".device.loop.failures";

  /**
   * Exceptions thrown by scheduler listeners (metrics, traces); isolated from the scheduler
   * (counter).
   */
  public static final String LISTENER_FAILURES = PREFIX + ".scheduler.listener.failures";

  /**
   * Errors the scheduler caught from its own code or a policy and recovered from (counter; 0 when
   * healthy).
   */
  public static final String SCHEDULER_RECOVERED = PREFIX + ".scheduler.recovered.errors";
}
