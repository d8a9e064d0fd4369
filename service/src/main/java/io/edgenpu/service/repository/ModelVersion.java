package io.edgenpu.service.repository;

import io.edgenpu.service.backend.ModelInstance;
import io.edgenpu.service.device.Device;
import io.edgenpu.service.inference.ModelStats;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loaded, schedulable model version: its instance, the device it runs on, its statistics, and a
 * count of requests in flight so that an unload can wait for them before releasing native
 * resources. Thread-safe.
 */
public final class ModelVersion {
  private final ModelInstance instance;
  private final Device device;
  private final ModelStats stats;
  private final AtomicInteger inflight = new AtomicInteger();
  private final AtomicBoolean released = new AtomicBoolean();
  private volatile boolean closing;
  private volatile List<Integer> warmedBatchSizes = List.of();

  ModelVersion(ModelInstance instance, Device device, ModelStats stats) {
    this.instance = instance;
    this.device = device;
    this.stats = stats;
  }

  public ModelInstance instance() {
    return instance;
  }

  public Device device() {
    return device;
  }

  /** The batch sizes the version was warmed up at before it served (empty when warm-up is off). */
  public List<Integer> warmedBatchSizes() {
    return warmedBatchSizes;
  }

  void warmedUp(List<Integer> sizes) {
    this.warmedBatchSizes = List.copyOf(sizes);
  }

  public ModelStats stats() {
    return stats;
  }

  public long version() {
    return instance.version();
  }

  /** Counts a request in; false (counting nothing) when the version is being unloaded. */
  public boolean enter() {
    inflight.incrementAndGet();
    if (closing) {
      exit();
      return false;
    }
    return true;
  }

  /** Counts a request out; releases the version if it is closing and this was the last one. */
  public void exit() {
    if (inflight.decrementAndGet() == 0 && closing) {
      release();
    }
  }

  public int inflight() {
    return inflight.get();
  }

  /**
   * Unload: stops scheduling this version at once (its queued requests fail as unavailable; a batch
   * on the device finishes) and releases it once nothing is in flight.
   */
  void close(String reason) {
    closing = true;
    device.detachLane(instance.key(), reason);
    if (inflight.get() == 0) {
      release();
    }
  }

  /**
   * Replaced by a reload: takes no new request, answers everything it has (queued or running), then
   * leaves the device and releases its native resources.
   */
  void retire(String reason) {
    closing = true;
    if (inflight.get() == 0) {
      release();
    }
  }

  private void release() {
    if (released.compareAndSet(false, true)) {
      device.detachLane(instance.key(), "version retired");
      device
          .loop()
          .execute(
              () -> {
                device.removeModel(instance.key());
                instance.close();
              });
    }
  }
}
