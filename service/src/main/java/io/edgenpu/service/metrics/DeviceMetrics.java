package io.edgenpu.service.metrics;

import io.edgenpu.service.backend.DeviceProgram;
import io.edgenpu.service.backend.OrtGraph;
import io.edgenpu.service.device.Device;
import io.edgenpu.service.device.EmulatedNpuAccelerator;
import io.edgenpu.service.device.PacedAccelerator;
import io.edgenpu.service.inference.AnswerWatchdog;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;

/**
 * Publishes per-device gauges and counters (utilisation, queue, the emulated NPU's array state).
 */
public final class DeviceMetrics implements MeterBinder {
  private final Map<String, Device> devices;
  private final long startNanos = System.nanoTime();

  private final AnswerWatchdog watchdog;

  public DeviceMetrics(Map<String, Device> devices, AnswerWatchdog watchdog) {
    this.devices = devices;
    this.watchdog = watchdog;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder(MetricNames.ORT_SESSIONS, OrtGraph::openSessions)
        .description("ONNX Runtime sessions open in the process")
        .register(registry);
    FunctionCounter.builder(MetricNames.WATCHDOG_ANSWERS, watchdog, AnswerWatchdog::fired)
        .description("requests answered by the gateway watchdog because the device path never did")
        .register(registry);
    for (Device d : devices.values()) {
      String name = d.name();
      FunctionCounter.builder(MetricNames.LOOP_FAILURES, d, x -> x.loop().failedTasks())
          .tag(MetricNames.TAG_DEVICE, name)
          .description("device event-loop tasks that threw")
          .register(registry);
      FunctionCounter.builder(
              MetricNames.LISTENER_FAILURES, d, x -> x.scheduler().listenerFailures())
          .tag(MetricNames.TAG_DEVICE, name)
          .description("exceptions thrown by scheduler listeners")
          .register(registry);
      FunctionCounter.builder(
              MetricNames.SCHEDULER_RECOVERED, d, x -> x.scheduler().recoveredErrors())
          .tag(MetricNames.TAG_DEVICE, name)
          .description("errors the scheduler caught and recovered from")
          .register(registry);
      FunctionCounter.builder(MetricNames.DEVICE_BUSY, d, x -> x.accelerator().busyNanos() / 1e9)
          .tag(MetricNames.TAG_DEVICE, name)
          .baseUnit("seconds")
          .description("time the device was busy")
          .register(registry);
      Gauge.builder(
              MetricNames.DEVICE_UTILIZATION,
              d,
              x ->
                  x.accelerator().busyNanos()
                      / (double) Math.max(1, System.nanoTime() - startNanos))
          .tag(MetricNames.TAG_DEVICE, name)
          .description("busy time / wall time since start")
          .register(registry);
      Gauge.builder(MetricNames.DEVICE_QUEUED, d, x -> x.scheduler().queuedSamples())
          .tag(MetricNames.TAG_DEVICE, name)
          .description("samples waiting in the device's queues")
          .register(registry);
      if (d.accelerator() instanceof PacedAccelerator paced) {
        FunctionCounter.builder(MetricNames.NPU_MODELLED_TIME, paced, x -> x.modelledNanos() / 1e9)
            .tag(MetricNames.TAG_DEVICE, name)
            .baseUnit("seconds")
            .description("modelled accelerator time")
            .register(registry);
        FunctionCounter.builder(MetricNames.NPU_OVERRUNS, paced, PacedAccelerator::overruns)
            .tag(MetricNames.TAG_DEVICE, name)
            .description("stages whose host compute outlasted the modelled time")
            .register(registry);
      }
      if (d.accelerator() instanceof EmulatedNpuAccelerator npu) {
        Gauge.builder(MetricNames.NPU_MAC_UTILIZATION, npu, EmulatedNpuAccelerator::macUtilization)
            .tag(MetricNames.TAG_DEVICE, name)
            .description("useful MACs / MAC slots of the array")
            .register(registry);
        Gauge.builder(MetricNames.NPU_STACKING, npu, EmulatedNpuAccelerator::currentStacking)
            .tag(MetricNames.TAG_DEVICE, name)
            .description("stacking factor of the last stage")
            .register(registry);
        for (int k : npu.profile().stackingFactors()) {
          FunctionCounter.builder(
                  MetricNames.NPU_STACKING_TIME, npu, x -> x.stackingNanos()[k] / 1e9)
              .tag(MetricNames.TAG_DEVICE, name)
              .tag(MetricNames.TAG_STACKING, Integer.toString(k))
              .baseUnit("seconds")
              .description("modelled time with stacking factor k dominant")
              .register(registry);
        }
        for (String p : DeviceProgram.PRECISIONS) {
          FunctionCounter.builder(
                  MetricNames.NPU_PRECISION_TIME, npu, x -> x.precisionNanos(p) / 1e9)
              .tag(MetricNames.TAG_DEVICE, name)
              .tag(MetricNames.TAG_PRECISION, p)
              .baseUnit("seconds")
              .description("modelled time of integer-arithmetic tiles in this precision")
              .register(registry);
        }
      }
    }
  }
}
