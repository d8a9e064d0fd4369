package io.edgenpu.service.repository;

import ai.onnxruntime.OrtEnvironment;
import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.config.ConfigException;
import io.edgenpu.repository.ModelConfig;
import io.edgenpu.repository.ModelConfigParser;
import io.edgenpu.scheduler.core.ExitStatistics;
import io.edgenpu.scheduler.core.ModelLane;
import io.edgenpu.scheduler.core.QueuePolicy;
import io.edgenpu.scheduler.core.SampleQueue;
import io.edgenpu.scheduler.core.StagePlan;
import io.edgenpu.scheduler.policy.BatchPolicies;
import io.edgenpu.service.backend.ModelInstance;
import io.edgenpu.service.device.Device;
import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.StatsRegistry;
import io.edgenpu.service.inference.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The Triton-like model repository: {@code <root>/<model>/config.yaml} and numeric version folders.
 * Loads, reloads and unloads models, tracks each model's lifecycle state and failure reason, and
 * resolves (model, version) for requests. Loading is blocking (it creates ONNX Runtime sessions):
 * call {@link #load}/{@link #unload} off event loops. Lookups are lock-free.
 */
public final class ModelRepository implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ModelRepository.class.getName());
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,17}");

  /**
   * Prior exit probability at each intermediate exit when a model gives no exit-prior (a guess;
   * learned online).
   */
  private static final double DEFAULT_EXIT_HAZARD = 0.3;

  private final Path root;
  private final Map<String, Device> devices;
  private final String defaultDevice;
  private final Map<String, String> deviceOverrides;
  private final ModelInstances instances;
  private volatile boolean frozen;
  private final WarmupSamples warmupSamples;

  /**
   * Reads a model's configured warm-up sample (an OIP inference request file) as its inputs by
   * name.
   */
  @FunctionalInterface
  public interface WarmupSamples {
    Map<String, Tensor> read(Path file, ModelInstance model) throws IOException;
  }

  private final Map<String, ModelEntry> entries = new ConcurrentHashMap<>();
  private final StatsRegistry stats;

  /**
   * A repository of the models under a folder.
   *
   * @param deviceOverrides model name -> device, replacing the device named in that model's config
   *     file
   */
  public ModelRepository(
      Path root,
      Map<String, Device> devices,
      String defaultDevice,
      Map<String, String> deviceOverrides,
      OrtEnvironment env,
      int intraOpThreads,
      StatsRegistry stats,
      WarmupSamples warmupSamples) {
    this.warmupSamples = warmupSamples;
    this.stats = stats;
    this.deviceOverrides = Map.copyOf(deviceOverrides);
    this.root = root.toAbsolutePath().normalize();
    this.devices = Map.copyOf(devices);
    this.defaultDevice = defaultDevice;
    this.instances = new ModelInstances(env, intraOpThreads);
    if (!devices.containsKey(defaultDevice)) {
      throw new IllegalArgumentException(
          "default device '" + defaultDevice + "' is not one of " + devices.keySet());
    }
  }

  public Path root() {
    return root;
  }

  /** Loads every model folder of the repository (failures are recorded as FAILED, not thrown). */
  public synchronized void loadAll() throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IOException("model repository " + root + " is not a directory");
    }
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
        String name = dir.getFileName().toString();
        if (NAME.matcher(name).matches()) {
          loadQuietly(name);
        }
      }
    }
  }

  private void loadQuietly(String name) {
    try {
      load(name);
    } catch (InferenceException e) {
      LOG.log(System.Logger.Level.WARNING, "model " + name + " failed to load: " + e.getMessage());
    }
  }

  /**
   * Loads or reloads a model. Throws NOT_FOUND for a name with no folder, INVALID_ARGUMENT when the
   * model cannot be loaded.
   *
   * <p>A first load is LOADING until every version is built, warmed up and attached, then READY (or
   * FAILED with the reason). A reload builds and warms the new versions beside the serving ones,
   * which keep serving (the model stays READY); then requests go to the new versions and the old
   * ones drain: what they have queued or running is answered before their native resources are
   * released. A failed reload leaves the old versions serving, with the failure as the model's
   * reason.
   */
  public synchronized void load(String name) {
    refuseWhenFrozen();
    if (name == null || !NAME.matcher(name).matches()) {
      throw InferenceException.invalid("invalid model name '" + name + "'");
    }
    Path dir = root.resolve(name).normalize();
    if (!dir.startsWith(root) || !Files.isDirectory(dir)) {
      throw InferenceException.notFound("no model '" + name + "' in the repository");
    }
    ModelEntry entry = entries.computeIfAbsent(name, ModelEntry::new);
    boolean serving = entry.state() == ModelState.READY && !entry.versions().isEmpty();
    if (!serving) {
      entry.setState(ModelState.LOADING, "");
    }
    List<ModelVersion> loaded = new ArrayList<>();
    try {
      ModelConfig config = ModelConfigParser.parse(dir, defaultDevice);
      if (deviceOverrides.containsKey(name)) {
        config = config.withDevice(deviceOverrides.get(name));
      }
      Device device = devices.get(config.device());
      if (device == null) {
        throw new ConfigException(
            dir.resolve("config.yaml").toString(),
            0,
            0,
            "unknown device '" + config.device() + "'; devices: " + devices.keySet());
      }
      NavigableMap<Long, ModelVersion> versions = new TreeMap<>();
      for (long v : selectVersions(dir, config)) {
        ModelInstance instance = instances.create(config, v, dir.resolve(Long.toString(v)), device);
        ModelVersion mv = new ModelVersion(instance, device, stats.forKey(instance.versionKey()));
        loaded.add(mv);
        mv.warmedUp(
            instance.warmUp(
                config.warmup().sample() == null
                    ? null
                    : warmupSamples.read(
                        config.directory().resolve(config.warmup().sample()), instance)));
        device.attach(
            instance,
            BatchPolicies.create(config.scheduling().policy(), config.scheduling().parameters()),
            exitStatistics(config, instance.plan()),
            laneConfig(config));
        versions.put(v, mv);
      }
      NavigableMap<Long, ModelVersion> old =
          entry.swap(config, Collections.unmodifiableNavigableMap(versions));
      for (ModelVersion mv : old.values()) {
        mv.retire("model " + name + " was reloaded");
      }
      entry.setState(ModelState.READY, "");
      LOG.log(
          System.Logger.Level.INFO,
          "loaded model "
              + name
              + " versions "
              + versions.keySet()
              + " on device "
              + device.name());
    } catch (Exception | LinkageError e) {
      for (ModelVersion mv : loaded) {
        mv.close("load of model " + name + " failed");
      }
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      if (serving) {
        entry.setState(ModelState.READY, "reload failed, the previous versions serve: " + reason);
      } else {
        entry.setState(ModelState.FAILED, reason);
      }
      LOG.log(
          System.Logger.Level.WARNING,
          "model " + name + " failed to load: " + reason,
          e instanceof ConfigException
                  || e instanceof IOException
                  || e instanceof IllegalArgumentException
              ? null
              : e);
      throw InferenceException.invalid("failed to load model '" + name + "': " + reason);
    }
  }

  private static List<Long> selectVersions(Path dir, ModelConfig config) throws IOException {
    List<Long> present = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(Files::isDirectory).toList()) {
        String n = p.getFileName().toString();
        if (VERSION.matcher(n).matches()) {
          present.add(Long.parseLong(n));
        }
      }
    }
    Collections.sort(present);
    if (present.isEmpty()) {
      throw new IOException("model folder " + dir + " has no numeric version folder (e.g. 1/)");
    }
    return switch (config.versionPolicy().kind()) {
      case LATEST -> List.of(present.get(present.size() - 1));
      case ALL -> present;
      case SPECIFIC -> {
        for (long v : config.versionPolicy().versions()) {
          if (!present.contains(v)) {
            throw new IOException(
                "config asks for version " + v + " but " + dir + " has only " + present);
          }
        }
        yield config.versionPolicy().versions();
      }
    };
  }

  private static ExitStatistics exitStatistics(ModelConfig config, StagePlan plan) {
    if (!config.isEarlyExit()) {
      return ExitStatistics.none(plan);
    }
    double[] hazard = new double[plan.stageCount()];
    double[] prior = config.exitPrior();
    double prev = 0;
    for (int s = 0; s < plan.stageCount(); s++) {
      if (!plan.isExitPoint(s)) {
        continue;
      }
      if (prior == null) {
        hazard[s] = DEFAULT_EXIT_HAZARD;
      } else {
        double f = prior[plan.exitIndexOf(s)];
        hazard[s] = prev >= 1 ? 1 : (f - prev) / (1 - prev);
        prev = f;
      }
    }
    return new ExitStatistics(plan, hazard, 32, true);
  }

  private static ModelLane.Config laneConfig(ModelConfig config) {
    ModelConfig.SchedulingConfig s = config.scheduling();
    List<QueuePolicy> levels = new ArrayList<>();
    for (ModelConfig.QueueLevel l : s.queueLevels()) {
      levels.add(new QueuePolicy(l.maxSize(), l.timeout(), l.allowTimeoutOverride()));
    }
    return new ModelLane.Config(
        config.maxBatchSize(),
        levels,
        s.defaultPriority(),
        SampleQueue.Order.valueOf(s.order().name()),
        s.dropLate(),
        config.slo(),
        s.admission());
  }

  /** Unloads a model; requests in flight finish, queued ones fail as unavailable. */
  public synchronized void unload(String name) {
    refuseWhenFrozen();
    ModelEntry entry = entries.get(name);
    if (entry == null) {
      if (name != null && NAME.matcher(name).matches() && Files.isDirectory(root.resolve(name))) {
        return; // never loaded: nothing to do
      }
      throw InferenceException.notFound("no model '" + name + "' in the repository");
    }
    entry.setState(ModelState.UNLOADING, "");
    NavigableMap<Long, ModelVersion> old =
        entry.swap(Objects.requireNonNull(entry.config()), Collections.emptyNavigableMap());
    for (ModelVersion mv : old.values()) {
      mv.close("model " + name + " was unloaded");
    }
    entry.setState(ModelState.UNAVAILABLE, "unloaded");
  }

  /**
   * From now on, loads and unloads are refused (503): the server is shutting down, and a model
   * loading while the process exits could use ONNX Runtime after its environment is gone.
   */
  public void freeze() {
    frozen = true;
  }

  /** Takes changes again (a drain that did not end in shutdown). */
  public void thaw() {
    frozen = false;
  }

  private void refuseWhenFrozen() {
    if (frozen) {
      throw new InferenceException(
          Status.UNAVAILABLE,
          "server is shutting down; the repository takes no changes",
          Duration.ofSeconds(1));
    }
  }

  /** The entry of a known model, or null. */
  public @Nullable ModelEntry entry(@Nullable String name) {
    return name == null ? null : entries.get(name);
  }

  /**
   * The version that serves a request: the given version, or the highest loaded one. NOT_FOUND for
   * an unknown model or version, UNAVAILABLE for a model that is not ready.
   */
  public ModelVersion resolve(String name, String version) {
    ModelEntry e = entry(name);
    if (e == null) {
      throw InferenceException.notFound("unknown model '" + name + "'");
    }
    if (e.state() != ModelState.READY) {
      throw new InferenceException(
          Status.UNAVAILABLE,
          "model '"
              + name
              + "' is not ready (state "
              + e.state()
              + (e.reason().isEmpty() ? "" : ": " + e.reason())
              + ")",
          Duration.ofSeconds(1));
    }
    NavigableMap<Long, ModelVersion> versions = e.versions();
    if (version == null || version.isEmpty()) {
      Map.Entry<Long, ModelVersion> last = versions.lastEntry();
      if (last == null) {
        throw new InferenceException(
            Status.UNAVAILABLE, "model '" + name + "' has no loaded version");
      }
      return last.getValue();
    }
    if (!VERSION.matcher(version).matches()) {
      throw InferenceException.notFound("model '" + name + "' has no version '" + version + "'");
    }
    ModelVersion mv = versions.get(Long.parseLong(version));
    if (mv == null) {
      throw InferenceException.notFound("model '" + name + "' has no loaded version " + version);
    }
    return mv;
  }

  /** Every known model (and every model folder not yet loaded), for the repository index. */
  public List<ModelEntry> entries() {
    List<ModelEntry> out = new ArrayList<>(entries.values());
    out.sort((a, b) -> a.name().compareTo(b.name()));
    return out;
  }

  /** Model folders present on disk that were never loaded (shown as UNAVAILABLE in the index). */
  public List<String> unloadedFolders() throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
        String n = d.getFileName().toString();
        if (NAME.matcher(n).matches() && !entries.containsKey(n)) {
          out.add(n);
        }
      }
    }
    return out;
  }

  /** True when every known model is READY (unloaded ones do not count). */
  public boolean allReady() {
    for (ModelEntry e : entries.values()) {
      if (e.state() != ModelState.READY && e.state() != ModelState.UNAVAILABLE) {
        return false;
      }
    }
    return true;
  }

  @Override
  public synchronized void close() {
    for (ModelEntry e : entries.values()) {
      for (ModelVersion mv : e.versions().values()) {
        mv.close("server is shutting down");
      }
    }
  }
}
