package io.edgenpu.service.config;

import ai.onnxruntime.OrtEnvironment;
import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.npu.butterfly.ButterflyProfiles;
import io.edgenpu.npu.profile.NpuProfiles;
import io.edgenpu.scheduler.core.IsolatedListeners;
import io.edgenpu.scheduler.core.SchedulerListener;
import io.edgenpu.scheduler.loop.RealTimeEventLoop;
import io.edgenpu.service.clients.ClientPolicy;
import io.edgenpu.service.device.Device;
import io.edgenpu.service.device.EmulatedButterflyAccelerator;
import io.edgenpu.service.device.EmulatedNpuAccelerator;
import io.edgenpu.service.device.FaultInjectors;
import io.edgenpu.service.device.OrtAccelerator;
import io.edgenpu.service.inference.AnswerWatchdog;
import io.edgenpu.service.inference.InferenceService;
import io.edgenpu.service.inference.NamedTensor;
import io.edgenpu.service.inference.RequestLog;
import io.edgenpu.service.inference.StatsRegistry;
import io.edgenpu.service.inference.TimelineRecorder;
import io.edgenpu.service.metrics.DeviceMetrics;
import io.edgenpu.service.metrics.SchedulingMetrics;
import io.edgenpu.service.metrics.StatsListener;
import io.edgenpu.service.repository.ModelRepository;
import io.edgenpu.service.rest.InferJsonCodec;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/** Wires devices, the model repository and the inference path. */
@Configuration(proxyBeanMethods = false)
public class ServingConfiguration {

  @Bean
  ServerState serverState() {
    return new ServerState();
  }

  @Bean
  DrainingConnectionClose drainingConnectionClose(ServerState state) {
    return new DrainingConnectionClose(state);
  }

  @Bean
  StatsRegistry statsRegistry() {
    return new StatsRegistry();
  }

  /** What every device's scheduler reports to, whatever the device (statistics, timelines). */
  @Bean
  SchedulerListener schedulerListener(StatsRegistry stats) {
    return IsolatedListeners.of(List.of(new StatsListener(stats), new TimelineRecorder()));
  }

  /**
   * The shared listener plus, when metrics are on, meters tagged with the device's name, and, when
   * fault injection is on, the injectable throwing listener.
   */
  private static SchedulerListener forDevice(
      String device,
      SchedulerListener shared,
      MeterRegistry registry,
      EdgeNpuProperties props,
      FaultInjectors faults) {
    List<SchedulerListener> all = new ArrayList<>(List.of(shared));
    if (props.metrics().enabled()) {
      all.add(new SchedulingMetrics(registry, device));
    }
    if (props.resilience().faultInjection()) {
      all.add(faults.listener());
    }
    return all.size() == 1 ? shared : IsolatedListeners.of(all);
  }

  @Bean
  OrtEnvironment ortEnvironment() {
    return OrtEnvironment.getEnvironment();
  }

  /**
   * The executor for blocking ONNX Runtime work; never an event loop. Its queue is lock-free, so a
   * thread that hands it a stage (a device loop's task may run on a Netty event loop, see
   * RealTimeEventLoop) never blocks; its length is bounded by the devices' bulkheads (stages of one
   * device in flight at once).
   */
  @Bean(destroyMethod = "shutdownNow")
  @Primary
  ThreadPoolExecutor computeExecutor(EdgeNpuProperties props) {
    AtomicInteger n = new AtomicInteger();
    int threads =
        props.compute().threads() > 0
            ? props.compute().threads()
            : props.cpu().resolvedInstances() + 2;
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            60,
            TimeUnit.SECONDS,
            new LinkedTransferQueue<>(),
            r -> {
              Thread t = new Thread(r, "ort-compute-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.prestartAllCoreThreads(); // no worker creation (under the pool's lock) on the request path
    return pool;
  }

  @Bean
  FaultInjectors faultInjectors() {
    return new FaultInjectors();
  }

  @Bean(destroyMethod = "")
  Map<String, Device> devices(
      EdgeNpuProperties props,
      ThreadPoolExecutor compute,
      SchedulerListener shared,
      MeterRegistry registry,
      FaultInjectors faults) {
    DeviceGuards guards =
        new DeviceGuards(
            props.resilience(),
            props.resilience().faultInjection() ? faults : null,
            props.metrics().enabled() ? registry : null);
    Map<String, Device> devices = new LinkedHashMap<>();
    RealTimeEventLoop npuLoop = new RealTimeEventLoop("device-npu");
    devices.put(
        "npu",
        guards.device(
            "npu",
            Device.Kind.EMULATED_NPU,
            npuLoop,
            new EmulatedNpuAccelerator(
                npuLoop,
                compute,
                NpuProfiles.resolve(props.npu().profile()),
                props.npu().timeScale()),
            forDevice("npu", shared, registry, props, faults),
            1));
    RealTimeEventLoop bflyLoop = new RealTimeEventLoop("device-butterfly");
    devices.put(
        "butterfly",
        guards.device(
            "butterfly",
            Device.Kind.EMULATED_BUTTERFLY,
            bflyLoop,
            new EmulatedButterflyAccelerator(
                bflyLoop,
                compute,
                ButterflyProfiles.resolve(props.butterfly().profile()),
                props.butterfly().timeScale()),
            forDevice("butterfly", shared, registry, props, faults),
            1));
    RealTimeEventLoop cpuLoop = new RealTimeEventLoop("device-cpu");
    devices.put(
        "cpu",
        guards.device(
            "cpu",
            Device.Kind.ONNXRUNTIME,
            cpuLoop,
            new OrtAccelerator(compute),
            forDevice("cpu", shared, registry, props, faults),
            props.cpu().resolvedInstances()));
    return devices;
  }

  @Bean
  @ConditionalOnProperty(name = "edgenpu.metrics.enabled", matchIfMissing = true)
  DeviceMetrics deviceMetrics(Map<String, Device> devices, AnswerWatchdog watchdog) {
    return new DeviceMetrics(devices, watchdog);
  }

  @Bean
  DeviceShutdown deviceShutdown(Map<String, Device> devices) {
    return new DeviceShutdown(devices);
  }

  @Bean(destroyMethod = "close")
  ModelRepository modelRepository(
      EdgeNpuProperties props,
      Map<String, Device> devices,
      OrtEnvironment env,
      StatsRegistry stats,
      DeviceShutdown shutdownAfter)
      throws IOException {
    InferJsonCodec codec = new InferJsonCodec(props.limits().maxTensorElements());
    ModelRepository repo =
        new ModelRepository(
            props.modelRepository(),
            devices,
            props.defaultDevice(),
            props.modelDevices(),
            env,
            Math.max(1, props.compute().intraOpThreads()),
            stats,
            (file, model) -> {
              byte[] body = Files.readAllBytes(file);
              Map<String, Tensor> inputs = new LinkedHashMap<>();
              for (NamedTensor t :
                  codec.decode(model.config().name(), "", body, body.length, 0).inputs()) {
                inputs.put(t.name(), t.tensor());
              }
              return inputs;
            });
    repo.loadAll();
    return repo;
  }

  @Bean
  ClientPolicy clientPolicy(EdgeNpuProperties props, MeterRegistry registry) {
    EdgeNpuProperties.Clients c = props.clients();
    Map<String, ClientPolicy.DeviceClass> classes = new LinkedHashMap<>();
    c.classes()
        .forEach(
            (name, dc) ->
                classes.put(name, new ClientPolicy.DeviceClass(dc.weight(), dc.rateLimit())));
    Map<String, String> devices = new LinkedHashMap<>(c.devices());
    for (EdgeNpuProperties.Token t : props.security().tokens()) {
      devices.putIfAbsent(t.device(), c.defaultClass()); // token devices get their own meters
    }
    return new ClientPolicy(
        classes,
        devices,
        c.defaultClass(),
        c.maxInFlight(),
        props.metrics().enabled() ? registry : null);
  }

  /**
   * The gateway's last line for answers the device path loses (never fires in a healthy server).
   */
  @Bean(destroyMethod = "close")
  AnswerWatchdog answerWatchdog(EdgeNpuProperties props) {
    return new AnswerWatchdog(props.limits().answerTimeout(), Duration.ofMillis(250));
  }

  /**
   * Where large answers (images, big batches) are assembled: off the device loops and the event
   * loops, on as many threads as cores; small answers are assembled where the request completes.
   */
  @Bean(destroyMethod = "shutdownNow")
  ThreadPoolExecutor assemblyExecutor() {
    AtomicInteger n = new AtomicInteger();
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            60,
            TimeUnit.SECONDS,
            new LinkedTransferQueue<>(),
            r -> {
              Thread t = new Thread(r, "edgenpu-assembly-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.prestartAllCoreThreads();
    return pool;
  }

  @Bean
  InferenceService inferenceService(
      ModelRepository repository,
      EdgeNpuProperties props,
      ClientPolicy clients,
      AnswerWatchdog watchdog,
      @Qualifier("assemblyExecutor") ThreadPoolExecutor assembly) {
    EdgeNpuProperties.Limits l = props.limits();
    return new InferenceService(
        repository,
        new InferenceService.Limits(
            l.maxRequestBatch(), l.maxTensorElements(), l.maxBytesElementLength()),
        assembly,
        new RequestLog(props.metrics().requestLog()),
        clients,
        watchdog);
  }

  @Bean
  GracefulDrain gracefulDrain(
      ServerState state,
      InferenceService inference,
      ModelRepository repository,
      EdgeNpuProperties props) {
    return new GracefulDrain(state, inference, repository, props.shutdown().drainTimeout());
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
