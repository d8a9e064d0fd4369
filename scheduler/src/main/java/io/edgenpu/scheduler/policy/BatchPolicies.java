package io.edgenpu.scheduler.policy;

import io.edgenpu.scheduler.policy.internal.AimdPolicy;
import io.edgenpu.scheduler.policy.internal.DynamicBatchingPolicy;
import io.edgenpu.scheduler.policy.internal.EdfPolicy;
import io.edgenpu.scheduler.policy.internal.FcfsPolicy;
import io.edgenpu.scheduler.policy.internal.FluidBatchingPolicy;
import io.edgenpu.scheduler.policy.internal.LazyBatchingPolicy;
import io.edgenpu.scheduler.policy.internal.WorkConservingPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The registry of batching policies by name. Each call creates a fresh instance (policies keep
 * per-model state). Parameters are validated strictly: an unknown name or parameter is an {@link
 * IllegalArgumentException} that says what is known.
 *
 * <table>
 *   <caption>Policies and parameters</caption>
 *   <tr><th>name</th><th>what</th><th>parameters (default)</th></tr>
 *   <tr><td>fluid</td><td>EE-aware preemptive fluid batching</td><td>rule (guarded-refill | expected-cost | never),
 *       granularity (exit-points | every-stage), min-refill (1), gamma (1.0), preempt-max-stage (-1 = last intermediate exit),
 *       sizing (throughput | max)</td></tr>
 *   <tr><td>work-conserving</td><td>no batching window: start at once when idle, take what accumulated when
 *       busy (the default for plain models)</td><td>preferred-batch-sizes ([]), exit-handling (release | mask-until-end)</td></tr>
 *   <tr><td>dynamic</td><td>Triton dynamic batching / windowed batching</td><td>max-queue-delay (0), preferred-batch-sizes ([]),
 *       exit-handling (release | mask-until-end)</td></tr>
 *   <tr><td>fcfs</td><td>no batching</td><td>-</td></tr>
 *   <tr><td>aimd</td><td>Clipper-style adaptive batch size</td><td>step (1), backoff (0.9), initial-cap (1)</td></tr>
 *   <tr><td>lazy</td><td>LazyBatching-style node-level batching</td><td>-</td></tr>
 *   <tr><td>edf</td><td>earliest deadline first</td><td>-</td></tr>
 * </table>
 */
public final class BatchPolicies {
  private static final Set<String> NAMES =
      new TreeSet<>(List.of("fluid", "work-conserving", "dynamic", "fcfs", "aimd", "lazy", "edf"));

  private BatchPolicies() {}

  public static Set<String> names() {
    return NAMES;
  }

  public static BatchPolicy create(String name, Map<String, ?> parameters) {
    PolicyParams p = new PolicyParams(name, parameters);
    BatchPolicy policy =
        switch (name) {
          case "fluid" ->
              new FluidBatchingPolicy(
                  new FluidBatchingPolicy.Config(
                      p.getEnum(
                          "rule",
                          FluidBatchingPolicy.Rule.class,
                          FluidBatchingPolicy.Rule.EXPECTED_COST),
                      p.getEnum(
                          "granularity",
                          FluidBatchingPolicy.Granularity.class,
                          FluidBatchingPolicy.Granularity.EXIT_POINTS),
                      p.getInt("min-refill", 1),
                      p.getDouble("gamma", 1.0),
                      p.getInt("preempt-max-stage", -1),
                      p.getEnum(
                          "sizing",
                          FluidBatchingPolicy.Sizing.class,
                          FluidBatchingPolicy.Sizing.THROUGHPUT)));
          case "work-conserving" ->
              new WorkConservingPolicy(
                  p.getIntList("preferred-batch-sizes", List.of()),
                  p.getEnum("exit-handling", ExitHandling.class, ExitHandling.RELEASE));
          case "dynamic" ->
              new DynamicBatchingPolicy(
                  "dynamic",
                  new DynamicBatchingPolicy.Config(
                      p.getDuration("max-queue-delay", Duration.ZERO),
                      p.getIntList("preferred-batch-sizes", List.of()),
                      p.getEnum("exit-handling", ExitHandling.class, ExitHandling.RELEASE)));
          case "fcfs" -> new FcfsPolicy();
          case "aimd" ->
              new AimdPolicy(
                  new AimdPolicy.Config(
                      p.getInt("step", 1),
                      p.getDouble("backoff", 0.9),
                      p.getInt("initial-cap", 1)));
          case "lazy" -> new LazyBatchingPolicy();
          case "edf" -> new EdfPolicy();
          default ->
              throw new IllegalArgumentException(
                  "unknown batching policy '" + name + "'; known: " + NAMES);
        };
    p.requireAllUsed();
    return policy;
  }

  public static BatchPolicy create(String name) {
    return create(name, Map.of());
  }
}
