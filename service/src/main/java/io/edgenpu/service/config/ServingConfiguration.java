package io.edgenpu.service.config;

import ai.onnxruntime.OrtEnvironment;
import io.edgenpu.npu.butterfly.ButterflyProfiles;
import io.edgenpu.npu.profile.NpuProfiles;
import io.edgenpu.scheduler.core.SchedulerListener;
import io.edgenpu.scheduler.loop.RealTimeEventLoop;
import io.edgenpu.service.device.Device;
import io.edgenpu.service.device.EmulatedButterflyAccelerator;
import io.edgenpu.service.device.EmulatedNpuAccelerator;
import io.edgenpu.service.device.OrtAccelerator;
import io.edgenpu.service.inference.InferenceService;
import io.edgenpu.service.inference.StatsRegistry;
import io.edgenpu.service.metrics.StatsListener;
import io.edgenpu.service.repository.ModelRepository;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires devices, the model repository and the inference path. */
@Configuration(proxyBeanMethods = false)
public class ServingConfiguration {

  @Bean
  ServerState serverState() {
    return new ServerState();
  }

  @Bean
  StatsRegistry statsRegistry() {
    return new StatsRegistry();
  }

  /** What every device's scheduler reports to, whatever the device (statistics, timelines). */
  @Bean
  SchedulerListener schedulerListener(StatsRegistry stats) {
    return new io.edgenpu.service.metrics.CompositeSchedulerListener(java.util.List.of(
        new StatsListener(stats), new io.edgenpu.service.inference.TimelineRecorder()));
  }

  /** The shared listener plus, when metrics are on, meters tagged with the device's name. */
  private static SchedulerListener forDevice(String device, SchedulerListener shared,
      io.micrometer.core.instrument.MeterRegistry registry, EdgeNpuProperties props) {
    if (!props.metrics().enabled()) {
      return shared;
    }
    return new io.edgenpu.service.metrics.CompositeSchedulerListener(java.util.List.of(
        shared, new io.edgenpu.service.metrics.SchedulingMetrics(registry, device)));
  }

  @Bean
  OrtEnvironment ortEnvironment() {
    return OrtEnvironment.getEnvironment();
  }

  /** The bounded executor for blocking ONNX Runtime work; never an event loop. */
  @Bean(destroyMethod = "shutdownNow")
  ThreadPoolExecutor computeExecutor(EdgeNpuProperties props) {
    AtomicInteger n = new AtomicInteger();
    int threads = Math.max(1, props.compute().threads());
    return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(Math.max(1, props.compute().queue())),
        r -> {
          Thread t = new Thread(r, "ort-compute-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        },
        new ThreadPoolExecutor.AbortPolicy());
  }

  @Bean
  io.edgenpu.service.device.FaultInjectors faultInjectors() {
    return new io.edgenpu.service.device.FaultInjectors();
  }

  @Bean(destroyMethod = "")
  Map<String, Device> devices(EdgeNpuProperties props, ThreadPoolExecutor compute, SchedulerListener shared,
      io.micrometer.core.instrument.MeterRegistry registry, io.edgenpu.service.device.FaultInjectors faults) {
    DeviceGuards guards = new DeviceGuards(props.resilience(), props.resilience().faultInjection() ? faults : null,
        props.metrics().enabled() ? registry : null);
    Map<String, Device> devices = new LinkedHashMap<>();
    RealTimeEventLoop npuLoop = new RealTimeEventLoop("device-npu");
    devices.put("npu", guards.device("npu", Device.Kind.EMULATED_NPU, npuLoop,
        new EmulatedNpuAccelerator(npuLoop, compute, NpuProfiles.resolve(props.npu().profile()), props.npu().timeScale()), forDevice("npu", shared, registry, props)));
    RealTimeEventLoop bflyLoop = new RealTimeEventLoop("device-butterfly");
    devices.put("butterfly", guards.device("butterfly", Device.Kind.EMULATED_BUTTERFLY, bflyLoop, new EmulatedButterflyAccelerator(
        bflyLoop, compute, ButterflyProfiles.resolve(props.butterfly().profile()), props.butterfly().timeScale()), forDevice("butterfly", shared, registry, props)));
    RealTimeEventLoop cpuLoop = new RealTimeEventLoop("device-cpu");
    devices.put("cpu", guards.device("cpu", Device.Kind.ONNXRUNTIME, cpuLoop, new OrtAccelerator(compute), forDevice("cpu", shared, registry, props)));
    return devices;
  }

  @Bean
  @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(name = "edgenpu.metrics.enabled", matchIfMissing = true)
  io.edgenpu.service.metrics.DeviceMetrics deviceMetrics(Map<String, Device> devices) {
    return new io.edgenpu.service.metrics.DeviceMetrics(devices);
  }

  @Bean
  DeviceShutdown deviceShutdown(Map<String, Device> devices) {
    return new DeviceShutdown(devices);
  }

  @Bean(destroyMethod = "close")
  ModelRepository modelRepository(EdgeNpuProperties props, Map<String, Device> devices, OrtEnvironment env,
      StatsRegistry stats, DeviceShutdown shutdownAfter) throws IOException {
    ModelRepository repo = new ModelRepository(props.modelRepository(), devices, props.defaultDevice(), props.modelDevices(), env,
        Math.max(1, props.compute().intraOpThreads()), stats);
    repo.loadAll();
    return repo;
  }

  @Bean
  io.edgenpu.service.clients.ClientPolicy clientPolicy(EdgeNpuProperties props, io.micrometer.core.instrument.MeterRegistry registry) {
    EdgeNpuProperties.Clients c = props.clients();
    Map<String, io.edgenpu.service.clients.ClientPolicy.DeviceClass> classes = new LinkedHashMap<>();
    c.classes().forEach((name, dc) -> classes.put(name, new io.edgenpu.service.clients.ClientPolicy.DeviceClass(dc.weight(), dc.rateLimit())));
    Map<String, String> devices = new LinkedHashMap<>(c.devices());
    for (EdgeNpuProperties.Token t : props.security().tokens()) {
      devices.putIfAbsent(t.device(), c.defaultClass());   // token devices get their own meters
    }
    return new io.edgenpu.service.clients.ClientPolicy(classes, devices, c.defaultClass(), c.maxInFlight(),
        props.metrics().enabled() ? registry : null);
  }

  @Bean
  InferenceService inferenceService(ModelRepository repository, EdgeNpuProperties props,
      io.edgenpu.service.clients.ClientPolicy clients) {
    EdgeNpuProperties.Limits l = props.limits();
    return new InferenceService(repository,
        new InferenceService.Limits(l.maxRequestBatch(), l.maxTensorElements(), l.maxBytesElementLength()),
        ForkJoinPool.commonPool(), new io.edgenpu.service.inference.RequestLog(props.metrics().requestLog()), clients);
  }

  @Bean
  GracefulDrain gracefulDrain(ServerState state, InferenceService inference, EdgeNpuProperties props) {
    return new GracefulDrain(state, inference, props.shutdown().drainTimeout());
  }

  /** Closes the devices' loops after the repository has released its models. */
  public static final class DeviceShutdown implements AutoCloseable {
    private final Map<String, Device> devices;

    DeviceShutdown(Map<String, Device> devices) {
      this.devices = devices;
    }

    @Override
    public void close() {
      devices.values().forEach(Device::close);
    }
  }
}
