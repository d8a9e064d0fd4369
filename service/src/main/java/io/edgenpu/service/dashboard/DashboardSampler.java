package io.edgenpu.service.dashboard;

import io.edgenpu.service.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Turns the service's meters into dashboard snapshots: once per tick it reads the cumulative meters
 * and derives, per model, throughput, p50/p95/p99 latency and SLO attainment over the last {@code
 * window} ticks, pending requests, mean batch occupancy and exits per second per stage; per device,
 * utilisation, queued samples and the NPU's stacking factor. Keeps the last {@code history}
 * snapshots. Call {@link #tick} from one thread at a time.
 */
public final class DashboardSampler {
  /** One point in time of the dashboard. Values are NaN when there is nothing to show yet. */
  public record Snapshot(
      long epochMillis, Map<String, ModelPoint> models, Map<String, DevicePoint> devices) {
    /** Compact JSON; NaN (nothing to show) becomes null. */
    public String toJson() {
      StringBuilder b = new StringBuilder("{\"t\":").append(epochMillis).append(",\"models\":{");
      boolean first = true;
      for (Map.Entry<String, ModelPoint> e : models.entrySet()) {
        ModelPoint m = e.getValue();
        b.append(first ? "" : ",").append(quote(e.getKey())).append(":{");
        field(b, "rps", m.requestsPerSecond(), true);
        field(b, "p50_ms", m.p50Ms(), false);
        field(b, "p95_ms", m.p95Ms(), false);
        field(b, "p99_ms", m.p99Ms(), false);
        field(b, "slo", m.sloAttainment(), false);
        field(b, "pending", m.pending(), false);
        b.append(",\"batch\":");
        object(b, m.batchOccupancy());
        b.append(",\"exits_per_s\":");
        object(b, m.exitsPerSecond());
        b.append('}');
        first = false;
      }
      b.append("},\"devices\":{");
      first = true;
      for (Map.Entry<String, DevicePoint> e : devices.entrySet()) {
        DevicePoint d = e.getValue();
        b.append(first ? "" : ",").append(quote(e.getKey())).append(":{");
        field(b, "utilization", d.utilization(), true);
        field(b, "queued", d.queued(), false);
        field(b, "stacking", d.stacking(), false);
        b.append('}');
        first = false;
      }
      return b.append("}}").toString();
    }

    private static void object(StringBuilder b, Map<String, Double> m) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<String, Double> e : m.entrySet()) {
        field(b, e.getKey(), e.getValue(), first);
        first = false;
      }
      b.append('}');
    }

    private static void field(StringBuilder b, String name, double v, boolean first) {
      b.append(first ? "" : ",").append(quote(name)).append(':');
      if (Double.isFinite(v)) {
        b.append(Math.round(v * 1000) / 1000.0);
      } else {
        b.append("null");
      }
    }

    private static String quote(String s) {
      return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
  }

  public record ModelPoint(
      double requestsPerSecond,
      double p50Ms,
      double p95Ms,
      double p99Ms,
      double sloAttainment,
      double pending,
      Map<String, Double> batchOccupancy,
      Map<String, Double> exitsPerSecond) {}

  public record DevicePoint(double utilization, double queued, double stacking) {}

  /** Cumulative readings of one tick. */
  private record Reading(
      long nanos, Map<String, Double> counters, Map<String, CountAtBucket[]> buckets) {}

  private final MeterRegistry registry;
  private final int window;
  private final int history;
  private final Deque<Reading> readings = new ArrayDeque<>();
  private final Deque<Snapshot> snapshots = new ArrayDeque<>();

  public DashboardSampler(MeterRegistry registry, int window, int history) {
    this.registry = registry;
    this.window = Math.max(1, window);
    this.history = Math.max(1, history);
  }

  /** The retained snapshots, oldest first. */
  public synchronized List<Snapshot> history() {
    return List.copyOf(snapshots);
  }

  /** Reads the meters now and returns the new snapshot (also retained). */
  public synchronized Snapshot tick(long nowNanos, long epochMillis) {
    Reading now = read(nowNanos);
    @Nullable Reading base = readings.peekFirst();
    readings.addLast(now);
    while (readings.size() > window + 1) {
      readings.removeFirst();
    }
    double seconds = base == null ? 0 : (now.nanos() - base.nanos()) / 1e9;
    Map<String, ModelPoint> models = new TreeMap<>();
    for (Timer t : registry.find(MetricNames.REQUEST_DURATION).timers()) {
      String model = tag(t, MetricNames.TAG_MODEL);
      models.put(model, modelPoint(model, now, base, seconds));
    }
    Map<String, DevicePoint> devices = new TreeMap<>();
    for (FunctionCounter c : registry.find(MetricNames.DEVICE_BUSY).functionCounters()) {
      String device = tag(c, MetricNames.TAG_DEVICE);
      double busy = delta(now, base, key(MetricNames.DEVICE_BUSY, device));
      Gauge queued =
          registry.find(MetricNames.DEVICE_QUEUED).tag(MetricNames.TAG_DEVICE, device).gauge();
      Gauge stacking =
          registry.find(MetricNames.NPU_STACKING).tag(MetricNames.TAG_DEVICE, device).gauge();
      devices.put(
          device,
          new DevicePoint(
              seconds > 0 ? Math.min(1, busy / seconds) : Double.NaN,
              queued == null ? Double.NaN : queued.value(),
              stacking == null ? Double.NaN : stacking.value()));
    }
    Snapshot s = new Snapshot(epochMillis, models, devices);
    snapshots.addLast(s);
    while (snapshots.size() > history) {
      snapshots.removeFirst();
    }
    return s;
  }

  private ModelPoint modelPoint(String model, Reading now, @Nullable Reading base, double seconds) {
    double requests = delta(now, base, key(MetricNames.REQUEST_DURATION, model));
    CountAtBucket[] newer = now.buckets().get(model);
    CountAtBucket[] older = base == null ? null : base.buckets().get(model);
    double met = delta(now, base, key(MetricNames.SLO, model, "met"));
    double missed = delta(now, base, key(MetricNames.SLO, model, "missed"));
    Gauge pending =
        registry.find(MetricNames.PENDING_REQUESTS).tag(MetricNames.TAG_MODEL, model).gauge();
    Map<String, Double> occupancy = new TreeMap<>();
    for (DistributionSummary d :
        registry.find(MetricNames.BATCH_SIZE).tag(MetricNames.TAG_MODEL, model).summaries()) {
      String stage = tag(d, MetricNames.TAG_STAGE);
      double n = delta(now, base, key(MetricNames.BATCH_SIZE + ".count", model, stage));
      double sum = delta(now, base, key(MetricNames.BATCH_SIZE + ".sum", model, stage));
      occupancy.put(stage, n > 0 ? sum / n : Double.NaN);
    }
    Map<String, Double> exits = new TreeMap<>();
    for (Counter c :
        registry.find(MetricNames.EXITS).tag(MetricNames.TAG_MODEL, model).counters()) {
      String stage = tag(c, MetricNames.TAG_STAGE);
      exits.put(
          stage,
          seconds > 0
              ? delta(now, base, key(MetricNames.EXITS, model, stage)) / seconds
              : Double.NaN);
    }
    return new ModelPoint(
        seconds > 0 ? requests / seconds : Double.NaN,
        newer == null ? Double.NaN : LatencyWindow.quantileMillis(older, newer, requests, 0.50),
        newer == null ? Double.NaN : LatencyWindow.quantileMillis(older, newer, requests, 0.95),
        newer == null ? Double.NaN : LatencyWindow.quantileMillis(older, newer, requests, 0.99),
        met + missed > 0 ? met / (met + missed) : Double.NaN,
        pending == null ? Double.NaN : pending.value(),
        occupancy,
        exits);
  }

  private Reading read(long nowNanos) {
    Map<String, Double> counters = new HashMap<>();
    Map<String, CountAtBucket[]> buckets = new HashMap<>();
    for (Meter m : registry.getMeters()) {
      String name = m.getId().getName();
      String model = tag(m, MetricNames.TAG_MODEL);
      if (m instanceof Timer t && name.equals(MetricNames.REQUEST_DURATION)) {
        counters.merge(key(name, model), (double) t.count(), Double::sum);
        buckets.merge(model, t.takeSnapshot().histogramCounts(), DashboardSampler::sumBuckets);
      } else if (m instanceof Counter c && name.equals(MetricNames.SLO)) {
        counters.merge(key(name, model, tag(m, MetricNames.TAG_RESULT)), c.count(), Double::sum);
      } else if (m instanceof Counter c && name.equals(MetricNames.EXITS)) {
        counters.merge(key(name, model, tag(m, MetricNames.TAG_STAGE)), c.count(), Double::sum);
      } else if (m instanceof DistributionSummary d && name.equals(MetricNames.BATCH_SIZE)) {
        String stage = tag(m, MetricNames.TAG_STAGE);
        counters.merge(key(name + ".count", model, stage), (double) d.count(), Double::sum);
        counters.merge(key(name + ".sum", model, stage), d.totalAmount(), Double::sum);
      } else if (m instanceof FunctionCounter c && name.equals(MetricNames.DEVICE_BUSY)) {
        counters.put(key(name, tag(m, MetricNames.TAG_DEVICE)), c.count());
      }
    }
    return new Reading(nowNanos, counters, buckets);
  }

  /** Bucket-wise sum of two versions' histograms (same SLO buckets). */
  private static CountAtBucket[] sumBuckets(CountAtBucket[] a, CountAtBucket[] b) {
    CountAtBucket[] out = new CountAtBucket[Math.min(a.length, b.length)];
    for (int i = 0; i < out.length; i++) {
      out[i] = new CountAtBucket(a[i].bucket(), a[i].count() + b[i].count());
    }
    return out;
  }

  /** A meter's tag, or "" when it has none. */
  private static String tag(Meter m, String key) {
    return Objects.requireNonNullElse(m.getId().getTag(key), "");
  }

  private static double delta(Reading now, @Nullable Reading base, String key) {
    double n = now.counters().getOrDefault(key, 0.0);
    return base == null ? 0 : n - base.counters().getOrDefault(key, 0.0);
  }

  private static String key(String... parts) {
    return String.join("|", parts);
  }
}
