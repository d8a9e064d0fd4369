package io.edgenpu.service.repository;

/**
 * Lifecycle of a model (version) in the repository, as shown by ready, metadata and the repository
 * index.
 */
public enum ModelState {
  LOADING,
  READY,
  UNLOADING,
  /** Not loaded (never requested, or unloaded). */
  UNAVAILABLE,
  /** Loading failed; the reason says why. */
  FAILED
}
