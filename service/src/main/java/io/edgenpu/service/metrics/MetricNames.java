package io.edgenpu.service.metrics;

/**
 * Every metric name and tag key the service publishes, in one place (metric names are an API). Dotted
 * lowercase Micrometer names; Prometheus renders them with underscores (and {@code _total}/{@code _seconds}
 * suffixes). {@code docs/metrics.md} documents each one; a test keeps the two in sync.
 */
public final class MetricNames {
  private MetricNames() {}

  public static final String PREFIX = "edgenpu";

  // Tag keys.
  public static final String TAG_DEVICE = "device";
  public static final String TAG_STACKING = "k";

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
  /** Modelled NPU seconds (unscaled) (counter). */
  public static final String NPU_MODELLED_TIME = PREFIX + ".npu.modelled.time";
  /** Stages whose host computation outlasted their modelled NPU time (counter). */
  public static final String NPU_OVERRUNS = PREFIX + ".npu.overruns";
}
