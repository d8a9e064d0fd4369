package io.edgenpu.service.clients;

import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.Status;
import io.edgenpu.service.metrics.MetricNames;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Per-client-device policy: each client (the authenticated device, else the request's {@code
 * client_id}, else {@code anonymous}) belongs to a device class that sets its weight in fair
 * queueing and its rate limit (a Resilience4j {@link RateLimiter}, refused at once with 429 and
 * Retry-After when exceeded); each client may have at most {@code maxInFlight} requests unanswered.
 * Meters are tagged with the client only for configured devices (others share {@code
 * client="other"}), so their number stays bounded. Thread-safe.
 */
public final class ClientPolicy {
  /**
   * A device class: share in fair queueing (> 0) and requests per second allowed per device (0 = no
   * limit).
   */
  public record DeviceClass(double weight, double rateLimit) {}

  /** Built-in classes; configuration may redefine them or add others. */
  public static final Map<String, DeviceClass> BUILT_IN =
      Map.of(
          "standard", new DeviceClass(1, 0),
          "critical", new DeviceClass(4, 0),
          "background", new DeviceClass(0.25, 0));

  private final Map<String, DeviceClass> classes;
  private final Map<String, String> deviceClasses;
  private final String defaultClass;
  private final int maxInFlight;
  private final @Nullable MeterRegistry meters;
  private final Map<String, Client> clients = new ConcurrentHashMap<>();

  /** One client device as the policy sees it. */
  public final class Client {
    private final String id;
    private final String deviceClass;
    private final double weight;
    private final @Nullable RateLimiter limiter;
    private final String metricTag;
    private final AtomicInteger inFlight = new AtomicInteger();

    /**
     * Meters of this client by outcome (and "slo:met"/"slo:missed"), registered once, then only
     * incremented.
     */
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    Client(String id) {
      this.id = id;
      this.deviceClass = deviceClasses.getOrDefault(id, defaultClass);
      DeviceClass c = Objects.requireNonNull(classes.get(deviceClass), deviceClass);
      this.weight = c.weight();
      this.limiter = c.rateLimit() > 0 ? rateLimiter(id, c.rateLimit()) : null;
      this.metricTag = deviceClasses.containsKey(id) ? id : "other";
    }

    public String id() {
      return id;
    }

    public String deviceClass() {
      return deviceClass;
    }

    public double weight() {
      return weight;
    }

    /** Takes one in-flight slot and one rate permit, or throws 429 with Retry-After. */
    public void admit() {
      if (limiter != null && !limiter.acquirePermission()) {
        count("rate_limited");
        long waitNanos =
            limiter instanceof AtomicRateLimiter a
                ? a.getDetailedMetrics().getNanosToWait()
                : 1_000_000_000L;
        throw new InferenceException(
            Status.RESOURCE_EXHAUSTED,
            "device '" + id + "' exceeded the rate limit of its class '" + deviceClass + "'",
            Duration.ofNanos(Math.max(1, waitNanos)));
      }
      if (inFlight.incrementAndGet() > maxInFlight) {
        inFlight.decrementAndGet();
        count("too_many_in_flight");
        throw new InferenceException(
            Status.RESOURCE_EXHAUSTED,
            "device '" + id + "' already has " + maxInFlight + " requests in flight",
            Duration.ofSeconds(1));
      }
    }

    /** Gives back the in-flight slot of an admitted request and counts its outcome. */
    public void done(String outcome, @Nullable Boolean metDeadline) {
      inFlight.decrementAndGet();
      count(outcome);
      if (metDeadline != null && meters != null) {
        String result = metDeadline ? "met" : "missed";
        counters
            .computeIfAbsent(
                "slo:" + result,
                k ->
                    Counter.builder(NAME_SLO)
                        .tag("client", metricTag)
                        .tag("class", deviceClass)
                        .tag("result", result)
                        .register(meters))
            .increment();
      }
    }

    public int inFlight() {
      return inFlight.get();
    }

    private void count(String outcome) {
      if (meters != null) {
        counters
            .computeIfAbsent(
                outcome,
                k ->
                    Counter.builder(NAME_REQUESTS)
                        .tag("client", metricTag)
                        .tag("class", deviceClass)
                        .tag("outcome", outcome)
                        .register(meters))
            .increment();
      }
    }
  }

  /** Micrometer names (documented in docs/metrics.md through MetricNames). */
  static final String NAME_REQUESTS = MetricNames.CLIENT_REQUESTS;

  static final String NAME_SLO = MetricNames.CLIENT_SLO;

  /**
   * @param configuredClasses classes from configuration (override built-in ones of the same name)
   * @param deviceClasses device (client id) -> class name
   * @param meters where per-client meters go, or null for none
   */
  public ClientPolicy(
      Map<String, DeviceClass> configuredClasses,
      Map<String, String> deviceClasses,
      String defaultClass,
      int maxInFlight,
      @Nullable MeterRegistry meters) {
    Map<String, DeviceClass> all = new HashMap<>(BUILT_IN);
    all.putAll(configuredClasses);
    for (Map.Entry<String, DeviceClass> e : all.entrySet()) {
      if (!(e.getValue().weight() > 0) || !(e.getValue().rateLimit() >= 0)) {
        throw new IllegalArgumentException(
            "device class '" + e.getKey() + "' needs weight > 0 and rate-limit >= 0");
      }
    }
    for (Map.Entry<String, String> e : deviceClasses.entrySet()) {
      if (!all.containsKey(e.getValue())) {
        throw new IllegalArgumentException(
            "device '"
                + e.getKey()
                + "' has unknown class '"
                + e.getValue()
                + "'; classes: "
                + all.keySet());
      }
    }
    if (!all.containsKey(defaultClass)) {
      throw new IllegalArgumentException(
          "default device class '" + defaultClass + "' is not defined; classes: " + all.keySet());
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("max in-flight per client must be >= 1");
    }
    this.classes = Map.copyOf(all);
    this.deviceClasses = Map.copyOf(deviceClasses);
    this.defaultClass = defaultClass;
    this.maxInFlight = maxInFlight;
    this.meters = meters;
  }

  /** Policy with the built-in classes only, every client "standard", no meters. */
  public static ClientPolicy permissive() {
    return new ClientPolicy(Map.of(), Map.of(), "standard", Integer.MAX_VALUE, null);
  }

  public Set<String> classNames() {
    return classes.keySet();
  }

  /**
   * Unconfigured client ids are self-declared (any {@code client_id}), so their number is
   * unbounded: above this many tracked clients, idle unconfigured ones are forgotten (their
   * in-flight count is 0; a rate limiter of the default class restarts when such a device comes
   * back).
   */
  static final int MAX_TRACKED = 4096;

  /**
   * The client of this id (created on first use). Above {@link #MAX_TRACKED} clients, idle
   * unconfigured ones are forgotten in one sweep per {@code MAX_TRACKED / 4} new clients, so a
   * request costs O(1) amortised however many clients are busy.
   */
  public Client client(@Nullable String id) {
    Client c = clients.get(id);
    if (c != null) {
      return c;
    }
    c = clients.computeIfAbsent(id, Client::new);
    if (clients.size() > MAX_TRACKED && createdSinceSweep.incrementAndGet() >= MAX_TRACKED / 4) {
      createdSinceSweep.set(0);
      sweeps.incrementAndGet();
      Client keep = c;
      clients
          .values()
          .removeIf(x -> x != keep && !deviceClasses.containsKey(x.id) && x.inFlight() == 0);
    }
    return c;
  }

  private final AtomicInteger createdSinceSweep = new AtomicInteger();
  private final AtomicLong sweeps = new AtomicLong();

  /** Sweeps of idle clients so far. */
  long sweeps() {
    return sweeps.get();
  }

  /** Clients tracked now. */
  public int trackedClients() {
    return clients.size();
  }

  private static RateLimiter rateLimiter(String id, double perSecond) {
    // Permits refresh every 100 ms (a tenth of the rate, at least one), so a burst is at most a
    // tenth of a second's worth.
    int perPeriod = (int) Math.max(1, Math.round(perSecond / 10));
    long periodNanos = Math.round(perPeriod / perSecond * 1e9);
    return RateLimiter.of(
        "client-" + id,
        RateLimiterConfig.custom()
            .limitForPeriod(perPeriod)
            .limitRefreshPeriod(Duration.ofNanos(periodNanos))
            .timeoutDuration(Duration.ZERO)
            .build());
  }
}
