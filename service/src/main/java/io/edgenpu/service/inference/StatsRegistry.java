package io.edgenpu.service.inference;

import io.edgenpu.service.backend.ModelInstance;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Statistics per model version key ({@code name:version}); they survive reloads of the same
 * version. Thread-safe.
 */
public final class StatsRegistry {
  private final Map<String, ModelStats> byKey = new ConcurrentHashMap<>();
  private final Map<String, ModelStats> byLane = new ConcurrentHashMap<>();

  public ModelStats forKey(String modelKey) {
    return byKey.computeIfAbsent(modelKey, k -> new ModelStats());
  }

  /** The statistics of a scheduler lane key ({@code name:version#generation}): its version's. */
  public ModelStats forLane(String laneKey) {
    return byLane.computeIfAbsent(laneKey, k -> forKey(ModelInstance.versionKeyOf(k)));
  }

  /** The statistics of a key, or null if nothing was ever recorded or registered for it. */
  public @Nullable ModelStats find(String modelKey) {
    return byKey.get(modelKey);
  }
}
