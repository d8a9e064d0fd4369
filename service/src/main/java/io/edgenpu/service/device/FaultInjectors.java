package io.edgenpu.service.device;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The fault injectors of the devices, by device name (present only when fault injection is enabled). */
public final class FaultInjectors {
  private final Map<String, FaultInjector> byDevice = new ConcurrentHashMap<>();

  /** The injector of a device, created on first use. */
  public FaultInjector forDevice(String device) {
    return byDevice.computeIfAbsent(device, d -> new FaultInjector());
  }

  /** Every device back to a healthy backend. */
  public void clearAll() {
    byDevice.values().forEach(FaultInjector::clear);
  }
}
