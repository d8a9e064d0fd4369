package io.edgenpu.service.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The service's own configuration keys ({@code edgenpu.*}); ports and addresses use Spring's
 * standard {@code server.port} and Spring gRPC's {@code spring.grpc.server.address}/{@code port}.
 * Documented in the README ("Configuration").
 *
 * @param modelRepository folder of the model repository (relative paths resolve against the working
 *     directory)
 * @param defaultDevice device for models whose config names none: {@code npu} (emulated NPU) or
 *     {@code cpu}
 * @param strictReadiness whether one failed model makes the server not ready (Triton's default)
 * @param modelDevices model name -> device, overriding the {@code device} of that model's
 *     config.yaml
 */
@ConfigurationProperties("edgenpu")
public record EdgeNpuProperties(
    @DefaultValue("models/repository") Path modelRepository,
    @DefaultValue("npu") String defaultDevice,
    @DefaultValue("true") boolean strictReadiness,
    Map<String, String> modelDevices,
    @DefaultValue Npu npu,
    @DefaultValue Butterfly butterfly,
    @DefaultValue Compute compute,
    @DefaultValue Cpu cpu,
    @DefaultValue Limits limits,
    @DefaultValue Metrics metrics,
    @DefaultValue Dashboard dashboard,
    @DefaultValue Shutdown shutdown,
    @DefaultValue Resilience resilience,
    @DefaultValue Clients clients,
    @DefaultValue Security security) {

  /**
   * The emulated NPU device.
   *
   * @param profile a built-in hardware profile name or a path to a profile YAML
   * @param timeScale modelled NPU times are multiplied by this before the device is held (1 = real
   *     speed)
   */
  public record Npu(
      @DefaultValue("fluid-npu") String profile, @DefaultValue("1.0") double timeScale) {}

  public EdgeNpuProperties {
    modelDevices = modelDevices == null ? Map.of() : Map.copyOf(modelDevices);
  }

  /**
   * The emulated butterfly accelerator of FABNet (device {@code butterfly}).
   *
   * @param profile a built-in butterfly profile name or a path to a profile YAML
   * @param timeScale modelled times are multiplied by this before the device is held (1 = real
   *     speed)
   */
  public record Butterfly(
      @DefaultValue("butterfly-zynq7045-be20") String profile,
      @DefaultValue("1.0") double timeScale) {}

  /**
   * Where blocking ONNX Runtime work runs.
   *
   * @param threads compute threads shared by the devices; 0 = the CPU device's instances + 2 (one
   *     each for the emulated NPU and the butterfly accelerator)
   * @param intraOpThreads ONNX Runtime threads per session run
   */
  public record Compute(@DefaultValue("0") int threads, @DefaultValue("1") int intraOpThreads) {}

  /**
   * The CPU device (ONNX Runtime).
   *
   * @param instances batches of its models that run at once, each on its own compute thread
   *     (Triton's instance groups); 0 = one per available processor
   */
  public record Cpu(@DefaultValue("0") int instances) {
    /** The configured instances, or one per available processor. */
    public int resolvedInstances() {
      return instances > 0 ? instances : Math.max(1, Runtime.getRuntime().availableProcessors());
    }
  }

  /**
   * Client devices: fairness classes, rate limits and in-flight limits
   * (docs/admission-and-fairness.md).
   *
   * @param defaultClass class of devices not listed in {@code devices}
   * @param classes class name -> weight and rate limit (built in: standard 1, critical 4,
   *     background 0.25; no limits)
   * @param devices client id (the token's device, else the request's {@code client_id}) -> class
   *     name
   * @param maxInFlight most unanswered requests per client device (more is 429)
   */
  public record Clients(
      @DefaultValue("standard") String defaultClass,
      Map<String, DeviceClass> classes,
      Map<String, String> devices,
      @DefaultValue("128") int maxInFlight) {
    public Clients {
      classes = classes == null ? Map.of() : Map.copyOf(classes);
      devices = devices == null ? Map.of() : Map.copyOf(devices);
    }
  }

  /**
   * A class of devices (clients).
   *
   * @param weight share in fair queueing (> 0)
   * @param rateLimit requests per second allowed to each device of the class; 0 = unlimited
   */
  public record DeviceClass(
      @DefaultValue("1") double weight, @DefaultValue("0") double rateLimit) {}

  /**
   * Device tokens (docs/security.md).
   *
   * @param enabled require a token (Authorization: Bearer) for inference and the admin role for
   *     repository changes
   * @param tokens the accepted tokens, stored as SHA-256 hashes
   * @param maxStreamsPerToken most inference streams (gRPC or WebSocket) one device may hold open
   */
  public record Security(
      @DefaultValue("false") boolean enabled,
      List<Token> tokens,
      @DefaultValue("4") int maxStreamsPerToken) {
    public Security {
      tokens = tokens == null ? List.of() : List.copyOf(tokens);
    }
  }

  /**
   * A device token (its hash) and what it may do.
   *
   * @param device the device the token identifies (its client id)
   * @param sha256 hex SHA-256 of the token ({@code printf %s "$TOKEN" | sha256sum}); the token
   *     itself is never stored
   * @param role {@code device} (inference and metadata) or {@code admin} (also repository
   *     load/unload)
   */
  public record Token(String device, String sha256, @DefaultValue("device") String role) {}

  /**
   * Guards in front of each device's backend (Resilience4j).
   *
   * @param failureRateThreshold percentage of failed stages (over the window) that opens the
   *     circuit breaker
   * @param slidingWindow stages over which the failure rate is computed
   * @param minimumCalls stages needed before the breaker may open
   * @param openWait how long an open breaker refuses work before probing
   * @param halfOpenCalls probe stages let through when half open
   * @param stageTimeout longest one stage may take before it is failed (time limiter)
   * @param maxConcurrentBlockingCalls stages of one device that may hold compute threads at once
   *     (bulkhead)
   * @param faultInjection wrap backends in {@code FaultInjector}s (tests and drills only)
   */
  public record Resilience(
      @DefaultValue("50") float failureRateThreshold,
      @DefaultValue("10") int slidingWindow,
      @DefaultValue("5") int minimumCalls,
      @DefaultValue("5s") Duration openWait,
      @DefaultValue("2") int halfOpenCalls,
      @DefaultValue("30s") Duration stageTimeout,
      @DefaultValue("2") int maxConcurrentBlockingCalls,
      @DefaultValue("false") boolean faultInjection) {}

  /**
   * Graceful shutdown.
   *
   * @param drainTimeout how long accepted requests may take to finish once shutdown starts
   *     (readiness is false and new requests get 503 meanwhile)
   */
  public record Shutdown(@DefaultValue("15s") Duration drainTimeout) {}

  /**
   * Scheduling and device metrics.
   *
   * @param enabled publish the scheduler's and devices' meters (off only to measure their cost)
   * @param requestLog log one line per finished request (request id, model, outcome, latency) at
   *     INFO
   */
  public record Metrics(
      @DefaultValue("true") boolean enabled, @DefaultValue("false") boolean requestLog) {}

  /**
   * The live dashboard at {@code /dashboard/}.
   *
   * @param enabled serve the page and its event stream
   * @param interval time between two snapshots
   * @param window snapshots over which rates and percentiles are computed
   * @param history snapshots kept and replayed to a new viewer
   */
  public record Dashboard(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("1s") Duration interval,
      @DefaultValue("5") int window,
      @DefaultValue("300") int history) {}

  /**
   * Request limits.
   *
   * @param maxBodySize largest HTTP request body (larger is 413)
   * @param maxRequestBatch most batch rows in one request
   * @param maxTensorElements most elements in one tensor
   * @param maxBytesElementLength most bytes in one BYTES element
   * @param maxStreams most gRPC inference streams open at once
   * @param maxStreamInFlight most unanswered requests per stream (the server reads no further until
   *     one is answered)
   * @param answerTimeout how long after its deadline (or its arrival, when it has none) a request
   *     may stay unanswered before the gateway's watchdog answers it with 504 and cancels it (a
   *     safety net; the device path answers long before in a healthy server)
   */
  public record Limits(
      @DefaultValue("32MB") DataSize maxBodySize,
      @DefaultValue("64") int maxRequestBatch,
      @DefaultValue("16777216") long maxTensorElements,
      @DefaultValue("1048576") int maxBytesElementLength,
      @DefaultValue("64") int maxStreams,
      @DefaultValue("16") int maxStreamInFlight,
      @DefaultValue("5m") Duration answerTimeout) {}
}
