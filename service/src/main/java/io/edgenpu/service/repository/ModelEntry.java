package io.edgenpu.service.repository;

import io.edgenpu.repository.ModelConfig;
import java.util.Collections;
import java.util.NavigableMap;
import org.jspecify.annotations.Nullable;

/**
 * A model of the repository: its lifecycle state (with the reason of a failure), its validated
 * configuration and its loaded versions. Fields are replaced atomically (volatile), so readers on
 * request paths never lock; writers are serialised by the repository.
 */
public final class ModelEntry {
  private final String name;
  private volatile ModelState state = ModelState.UNAVAILABLE;
  private volatile String reason = "";
  private volatile @Nullable ModelConfig config;
  private volatile NavigableMap<Long, ModelVersion> versions = Collections.emptyNavigableMap();

  ModelEntry(String name) {
    this.name = name;
  }

  public String name() {
    return name;
  }

  public ModelState state() {
    return state;
  }

  /** Why the model is FAILED or UNAVAILABLE; empty otherwise. */
  public String reason() {
    return reason;
  }

  /** Configuration of the last successful load, or null. */
  public @Nullable ModelConfig config() {
    return config;
  }

  public NavigableMap<Long, ModelVersion> versions() {
    return versions;
  }

  void setState(ModelState state, String reason) {
    this.state = state;
    this.reason = reason == null ? "" : reason;
  }

  /** Installs new versions and config; returns the previous versions. */
  NavigableMap<Long, ModelVersion> swap(
      ModelConfig config, NavigableMap<Long, ModelVersion> versions) {
    NavigableMap<Long, ModelVersion> old = this.versions;
    this.config = config;
    this.versions = versions;
    return old;
  }
}
