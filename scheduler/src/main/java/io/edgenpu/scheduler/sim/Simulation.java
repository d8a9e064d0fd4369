package io.edgenpu.scheduler.sim;

import io.edgenpu.scheduler.core.DeviceScheduler;
import io.edgenpu.scheduler.core.ExitStatistics;
import io.edgenpu.scheduler.core.FailureReason;
import io.edgenpu.scheduler.core.LatencyOracle;
import io.edgenpu.scheduler.core.ModelLane;
import io.edgenpu.scheduler.core.Request;
import io.edgenpu.scheduler.core.RequestListener;
import io.edgenpu.scheduler.core.SchedulerListener;
import io.edgenpu.scheduler.core.StagePlan;
import io.edgenpu.scheduler.loop.VirtualEventLoop;
import io.edgenpu.scheduler.policy.BatchPolicy;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Runs the live scheduler code ({@link DeviceScheduler} and a {@link BatchPolicy}) on a virtual
 * clock against a {@link Trace}: a {@link SimulatedAccelerator} holds the device for each stage's
 * modelled time and exits follow the pre-drawn exit stages. Deterministic: the same trace and
 * configuration give bit-identical latencies. Single-threaded; independent runs may execute in
 * parallel.
 */
public final class Simulation {
  /**
   * One simulated run's setup.
   *
   * @param deviceCost the true stage times of the device (the NPU profile's table)
   * @param oracle what the scheduler believes (usually the same table)
   * @param exitPrior cumulative exit fractions the scheduler assumes (null = none, EE-unaware)
   * @param slo latency target; requests get deadline = arrival + slo (zero = no deadline)
   * @param warmup requests excluded from the measurements
   * @param preemptionOverheadNanos device time charged when a catch-up group starts
   */
  public record Config(
      StagePlan plan,
      LatencyOracle deviceCost,
      LatencyOracle oracle,
      double @Nullable [] exitPrior,
      Supplier<BatchPolicy> policy,
      int maxBatch,
      Duration slo,
      int warmup,
      long preemptionOverheadNanos) {}

  private Simulation() {}

  public static SimulationResult run(Trace trace, Config cfg) {
    VirtualEventLoop loop = new VirtualEventLoop();
    SimulatedAccelerator device =
        new SimulatedAccelerator(loop, cfg.preemptionOverheadNanos())
            .withModel("m", cfg.deviceCost());
    Collector collector = new Collector(trace.size(), cfg.plan().stageCount(), cfg.deviceCost());
    DeviceScheduler scheduler = new DeviceScheduler("sim", loop, device, collector);
    ExitStatistics exits =
        cfg.exitPrior() == null
            ? ExitStatistics.none(cfg.plan())
            : ExitStatistics.fromCumulative(cfg.plan(), cfg.exitPrior());
    ModelLane.Config lane = ModelLane.Config.simple(cfg.maxBatch()).withDefaultSlo(cfg.slo());
    scheduler.register(
        new ModelLane("m", cfg.plan(), cfg.oracle(), exits, cfg.policy().get(), lane));
    long slo = cfg.slo().toNanos();
    int n = trace.size();
    Runnable[] next = new Runnable[1];
    int[] index = {0};
    next[0] =
        () -> {
          int i = index[0]++;
          long at = trace.arrival(i);
          int exit = trace.exitStage(i);
          Request r =
              Request.builder("m", collector)
                  .id(i)
                  .arrivalNanos(at)
                  .deadlineNanos(slo > 0 ? at + slo : Request.NO_DEADLINE)
                  .clientId("d" + trace.device(i))
                  .samples(1, k -> null)
                  .plannedExits(k -> exit)
                  .build();
          scheduler.submit(r);
          if (index[0] < n) {
            loop.schedule(trace.arrival(index[0]), next[0]);
          }
        };
    loop.schedule(trace.arrival(0), next[0]);
    loop.runUntilIdle();
    int measured = n - cfg.warmup();
    long[] lat = new long[measured];
    long[] arr = new long[measured];
    long lastDone = 0;
    for (int i = cfg.warmup(); i < n; i++) {
      if (collector.done[i] < 0) {
        throw new IllegalStateException("request " + i + " was never answered");
      }
      lat[i - cfg.warmup()] = collector.done[i] - trace.arrival(i);
      arr[i - cfg.warmup()] = trace.arrival(i);
      lastDone = Math.max(lastDone, collector.done[i]);
    }
    long first = trace.arrival(cfg.warmup());
    double[] occupancy = new double[cfg.plan().stageCount()];
    for (int s = 0; s < occupancy.length; s++) {
      occupancy[s] =
          collector.stageRuns[s] == 0
              ? 0
              : (double) collector.stageSamples[s] / collector.stageRuns[s];
    }
    long busy = device.busyNanos();
    return new SimulationResult(
        lat,
        arr,
        slo,
        busy / (double) Math.max(1, lastDone - trace.arrival(0)),
        occupancy,
        collector.preemptions,
        collector.merges,
        busy == 0 ? 0 : collector.maskedNanos / busy,
        lastDone - first,
        collector.entryBatches);
  }

  /** Records completions and device events; ids are trace indices. */
  private static final class Collector implements SchedulerListener, RequestListener {
    final long[] done;
    final long[] stageSamples;
    final long[] stageRuns;
    final LatencyOracle cost;
    long preemptions;
    long merges;
    double maskedNanos;
    final long[] entryBatches;

    Collector(int n, int stages, LatencyOracle cost) {
      this.done = new long[n];
      this.entryBatches = new long[65];
      Arrays.fill(done, -1);
      this.stageSamples = new long[stages];
      this.stageRuns = new long[stages];
      this.cost = cost;
    }

    @Override
    public void onCompleted(Request r) {
      done[(int) r.id()] = r.completedNanos();
    }

    @Override
    public void onFailed(Request r, FailureReason reason, String message) {
      throw new IllegalStateException(
          "simulated request " + r.id() + " failed: " + reason + " " + message);
    }

    @Override
    public void onStageStart(
        String model, int stage, int size, int masked, boolean catchUp, long nowNanos) {
      stageSamples[stage] += size;
      stageRuns[stage]++;
      if (stage == 0) {
        entryBatches[Math.min(size, entryBatches.length - 1)]++;
      }
      if (masked > 0) {
        maskedNanos += (double) cost.stageNanos(stage, size) * masked / size;
      }
    }

    @Override
    public void onPreempt(String model, int stage, int live, int incoming, long nowNanos) {
      preemptions++;
    }

    @Override
    public void onMerge(String model, int stage, int mergedSize, long nowNanos) {
      merges++;
    }
  }
}
