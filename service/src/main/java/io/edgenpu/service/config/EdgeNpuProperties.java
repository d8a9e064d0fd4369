package io.edgenpu.service.config;

import java.nio.file.Path;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The service's own configuration keys ({@code edgenpu.*}); ports and addresses use Spring's standard
 * {@code server.port} and Spring gRPC's {@code spring.grpc.server.address}/{@code port}. Documented in the
 * README ("Configuration").
 *
 * @param modelRepository folder of the model repository (relative paths resolve against the working directory)
 * @param defaultDevice device for models whose config names none: {@code npu} (emulated NPU) or {@code cpu}
 * @param strictReadiness whether one failed model makes the server not ready (Triton's default)
 * @param modelDevices model name -> device, overriding the {@code device} of that model's config.yaml
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
    @DefaultValue Limits limits,
    @DefaultValue Metrics metrics,
    @DefaultValue Dashboard dashboard,
    @DefaultValue Shutdown shutdown) {

  /**
   * The emulated NPU device.
   *
   * @param profile a built-in hardware profile name or a path to a profile YAML
   * @param timeScale modelled NPU times are multiplied by this before the device is held (1 = real speed)
   */
  public record Npu(@DefaultValue("fluid-npu") String profile, @DefaultValue("1.0") double timeScale) {}

  public EdgeNpuProperties {
    modelDevices = modelDevices == null ? Map.of() : Map.copyOf(modelDevices);
  }

  /**
   * The emulated butterfly accelerator of FABNet (device {@code butterfly}).
   *
   * @param profile a built-in butterfly profile name or a path to a profile YAML
   * @param timeScale modelled times are multiplied by this before the device is held (1 = real speed)
   */
  public record Butterfly(@DefaultValue("butterfly-zynq7045-be20") String profile, @DefaultValue("1.0") double timeScale) {}

  /**
   * Where blocking ONNX Runtime work runs.
   *
   * @param threads compute threads shared by the devices
   * @param queue bounded queue of the compute executor
   * @param intraOpThreads ONNX Runtime threads per session run
   */
  public record Compute(@DefaultValue("2") int threads, @DefaultValue("64") int queue, @DefaultValue("1") int intraOpThreads) {}

  /**
   * Graceful shutdown.
   *
   * @param drainTimeout how long accepted requests may take to finish once shutdown starts (readiness is
   *     false and new requests get 503 meanwhile)
   */
  public record Shutdown(@DefaultValue("15s") java.time.Duration drainTimeout) {}

  /**
   * Scheduling and device metrics.
   *
   * @param enabled publish the scheduler's and devices' meters (off only to measure their cost)
   * @param requestLog log one line per finished request (request id, model, outcome, latency) at INFO
   */
  public record Metrics(@DefaultValue("true") boolean enabled, @DefaultValue("false") boolean requestLog) {}

  /**
   * The live dashboard at {@code /dashboard/}.
   *
   * @param enabled serve the page and its event stream
   * @param interval time between two snapshots
   * @param window snapshots over which rates and percentiles are computed
   * @param history snapshots kept and replayed to a new viewer
   */
  public record Dashboard(@DefaultValue("true") boolean enabled, @DefaultValue("1s") java.time.Duration interval,
      @DefaultValue("5") int window, @DefaultValue("300") int history) {}

  /**
   * Request limits.
   *
   * @param maxBodySize largest HTTP request body (larger is 413)
   * @param maxRequestBatch most batch rows in one request
   * @param maxTensorElements most elements in one tensor
   * @param maxBytesElementLength most bytes in one BYTES element
   * @param maxStreams most gRPC inference streams open at once
   * @param maxStreamInFlight most unanswered requests per stream (the server reads no further until one is answered)
   */
  public record Limits(
      @DefaultValue("32MB") DataSize maxBodySize,
      @DefaultValue("64") int maxRequestBatch,
      @DefaultValue("16777216") long maxTensorElements,
      @DefaultValue("1048576") int maxBytesElementLength,
      @DefaultValue("64") int maxStreams,
      @DefaultValue("16") int maxStreamInFlight) {}
}
