package io.edgenpu.experiments.fluid;

import io.edgenpu.scheduler.policy.BatchPolicies;
import io.edgenpu.scheduler.policy.BatchPolicy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A serving system of the comparison (docs/papers/fluid-batching.md): a batching policy with its
 * parameters, an NPU profile, and whether the scheduler knows the exit profile. Windowed batching's
 * window is given as a multiple of the model's T_full(1), so it scales with the model ([O]: the
 * spec's 1-10 ms windows are for millisecond-scale models).
 *
 * @param family the name used in headline tables (variants of one family, e.g. window sizes, share
 *     it)
 */
public record SystemSpec(
    String name,
    String family,
    String policy,
    Map<String, Object> params,
    double windowFactor,
    String profile,
    boolean exitAware) {

  public BatchPolicy create(long fullDepthNanos) {
    Map<String, Object> p = new LinkedHashMap<>(params);
    if (windowFactor > 0) {
      p.put("max-queue-delay", Math.round(windowFactor * fullDepthNanos) + "ns");
    }
    return BatchPolicies.create(policy, p);
  }

  public static final String FB_FULL = "FB-full";

  /** Our scheduler on the three NPUs, and every baseline on the baseline NPU (§4.2's table). */
  public static List<SystemSpec> standard() {
    return List.of(
        new SystemSpec(FB_FULL, FB_FULL, "fluid", Map.of(), 0, "fluid-npu", true),
        new SystemSpec("FB-S+FB", "FB-S+FB", "fluid", Map.of(), 0, "fluid-npu-no-stacking", true),
        new SystemSpec("FB-S", "FB-S", "fluid", Map.of(), 0, ModelSetup.BASELINE, true),
        new SystemSpec("BL0-FCFS", "BL0-FCFS", "fcfs", Map.of(), 0, ModelSetup.BASELINE, false),
        window("BL1a-masked", "mask-until-end", 0.5),
        window("BL1a-masked", "mask-until-end", 1),
        window("BL1a-masked", "mask-until-end", 2),
        window("BL1b-shrink", "release", 0.5),
        window("BL1b-shrink", "release", 1),
        window("BL1b-shrink", "release", 2),
        new SystemSpec("BL2-AIMD", "BL2-AIMD", "aimd", Map.of(), 0, ModelSetup.BASELINE, false),
        new SystemSpec("BL3-Lazy", "BL3-Lazy", "lazy", Map.of(), 0, ModelSetup.BASELINE, false),
        new SystemSpec("EDF", "EDF", "edf", Map.of(), 0, ModelSetup.BASELINE, false));
  }

  private static SystemSpec window(String family, String exits, double factor) {
    return new SystemSpec(
        family + "(w=" + factor + "T)",
        family,
        "dynamic",
        Map.of("exit-handling", exits),
        factor,
        ModelSetup.BASELINE,
        false);
  }

  /** Families whose best variant per cell is "the best of BL1–BL3" (the headline's comparison). */
  public static final List<String> STREAMING_BASELINES =
      List.of("BL1a-masked", "BL1b-shrink", "BL2-AIMD", "BL3-Lazy");

  /** All baseline families reported one by one. */
  public static final List<String> BASELINE_FAMILIES =
      List.of("BL0-FCFS", "BL1a-masked", "BL1b-shrink", "BL2-AIMD", "BL3-Lazy", "EDF");

  public SystemSpec withProfile(String p, String suffix) {
    return new SystemSpec(
        name + suffix, family + suffix, policy, params, windowFactor, p, exitAware);
  }

  public SystemSpec withParams(String newName, Map<String, Object> newParams) {
    return new SystemSpec(newName, newName, policy, newParams, windowFactor, profile, exitAware);
  }
}
