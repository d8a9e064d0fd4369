package io.edgenpu.service.security;

import io.edgenpu.service.inference.Caller;
import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.Status;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open inference streams (gRPC ModelStreamInfer and the WebSocket stream together): at most {@code
 * maxStreams} in all and, for authenticated devices, {@code maxPerDevice} each. Thread-safe.
 */
public final class StreamPermits {
  private final int maxStreams;
  private final int maxPerDevice;
  private final AtomicInteger open = new AtomicInteger();
  private final Map<String, AtomicInteger> byDevice = new ConcurrentHashMap<>();

  public StreamPermits(int maxStreams, int maxPerDevice) {
    this.maxStreams = maxStreams;
    this.maxPerDevice = maxPerDevice;
  }

  /** A held stream slot; {@link #close()} gives it back (idempotent). */
  public interface Permit extends AutoCloseable {
    @Override
    void close();
  }

  /** Takes a slot for a new stream of {@code caller}, or throws RESOURCE_EXHAUSTED. */
  public Permit acquire(Caller caller) {
    if (open.incrementAndGet() > maxStreams) {
      open.decrementAndGet();
      throw new InferenceException(
          Status.RESOURCE_EXHAUSTED,
          "too many open streams (limit " + maxStreams + ")",
          Duration.ofSeconds(1));
    }
    AtomicInteger mine =
        caller.authenticated()
            ? byDevice.computeIfAbsent(caller.device(), d -> new AtomicInteger())
            : null;
    if (mine != null && mine.incrementAndGet() > maxPerDevice) {
      mine.decrementAndGet();
      open.decrementAndGet();
      throw new InferenceException(
          Status.RESOURCE_EXHAUSTED,
          "device '" + caller.device() + "' already has " + maxPerDevice + " open streams",
          Duration.ofSeconds(1));
    }
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        open.decrementAndGet();
        if (mine != null) {
          mine.decrementAndGet();
        }
      }
    };
  }

  /** Streams open now. */
  public int open() {
    return open.get();
  }
}
