package io.edgenpu.service.config;

/** Server-wide lifecycle flags: whether the server is draining for shutdown. Thread-safe. */
public final class ServerState {
  public static final String NAME = "edge-npu-serving";
  public static final String VERSION = "0.1.0";

  private volatile boolean draining;

  public boolean isDraining() {
    return draining;
  }

  public void startDraining() {
    draining = true;
  }

  public void stopDraining() {
    draining = false;
  }
}
