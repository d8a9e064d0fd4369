package io.edgenpu.service.config;

import io.edgenpu.scheduler.core.Accelerator;
import io.edgenpu.scheduler.core.SchedulerListener;
import io.edgenpu.scheduler.loop.RealTimeEventLoop;
import io.edgenpu.service.device.Device;
import io.edgenpu.service.device.FaultInjectors;
import io.edgenpu.service.device.GuardedAccelerator;
import io.edgenpu.service.device.ModelAccelerator;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Builds devices with their backends behind Resilience4j guards ({@link GuardedAccelerator}): one
 * circuit breaker and one bulkhead per device, named after it, published as {@code resilience4j_*}
 * meters.
 */
final class DeviceGuards {
  private final EdgeNpuProperties.Resilience settings;
  private final @Nullable FaultInjectors faults;
  private final CircuitBreakerRegistry breakers;
  private final BulkheadRegistry bulkheads;

  /**
   * @param faults injectors to put in front of each backend, or null for none
   */
  DeviceGuards(
      EdgeNpuProperties.Resilience settings,
      @Nullable FaultInjectors faults,
      @Nullable MeterRegistry registry) {
    this.settings = settings;
    this.faults = faults;
    this.breakers =
        CircuitBreakerRegistry.of(
            CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.failureRateThreshold())
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(Math.max(1, settings.slidingWindow()))
                .minimumNumberOfCalls(Math.max(1, settings.minimumCalls()))
                .waitDurationInOpenState(settings.openWait())
                .permittedNumberOfCallsInHalfOpenState(Math.max(1, settings.halfOpenCalls()))
                .automaticTransitionFromOpenToHalfOpenEnabled(
                    true) // admission refuses while OPEN, so no call would move it on
                .build());
    this.bulkheads =
        BulkheadRegistry.of(
            BulkheadConfig.custom()
                .maxConcurrentCalls(Math.max(1, settings.maxConcurrentBlockingCalls()))
                .maxWaitDuration(Duration.ZERO)
                .build());
    if (registry != null) {
      TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(registry);
      TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(registry);
    }
  }

  /**
   * A device whose backend sits behind its guards.
   *
   * @param slots batches the device runs at once; its bulkhead admits that many blocking calls plus
   *     {@code max-concurrent-blocking-calls - 1} stuck ones
   */
  Device device(
      String name,
      Device.Kind kind,
      RealTimeEventLoop loop,
      ModelAccelerator backend,
      SchedulerListener listener,
      int slots) {
    Accelerator inner = faults == null ? backend : faults.forDevice(name).wrap(backend, loop);
    int calls = slots + Math.max(1, settings.maxConcurrentBlockingCalls()) - 1;
    GuardedAccelerator guarded =
        new GuardedAccelerator(
            name,
            inner,
            loop,
            breakers.circuitBreaker(name),
            bulkheads.bulkhead(
                name,
                BulkheadConfig.from(bulkheads.getDefaultConfig())
                    .maxConcurrentCalls(calls)
                    .build()),
            settings.stageTimeout());
    return new Device(name, kind, loop, backend, guarded, listener, slots);
  }
}
