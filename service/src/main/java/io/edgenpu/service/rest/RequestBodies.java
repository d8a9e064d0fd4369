package io.edgenpu.service.rest;

import java.util.function.Supplier;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;

/**
 * Request bodies as byte arrays: the one place where buffers are joined, bounded, copied and
 * released.
 */
public final class RequestBodies {
  private RequestBodies() {}

  /**
   * The whole body, at most {@code maxBytes}; an empty body is an empty array. A longer body fails
   * with {@code tooLarge}'s exception as soon as the limit is crossed (the rest is not buffered).
   */
  public static Mono<byte[]> read(
      ServerRequest req, int maxBytes, Supplier<? extends RuntimeException> tooLarge) {
    return DataBufferUtils.join(req.bodyToFlux(DataBuffer.class), maxBytes)
        .map(RequestBodies::copyAndRelease)
        .defaultIfEmpty(new byte[0])
        .onErrorMap(DataBufferLimitException.class, e -> tooLarge.get());
  }

  /** The readable bytes of a buffer the caller does not own (released by whoever does). */
  public static byte[] copy(DataBuffer buf) {
    byte[] b = new byte[buf.readableByteCount()];
    buf.read(b);
    return b;
  }

  private static byte[] copyAndRelease(DataBuffer buf) {
    try {
      return copy(buf);
    } finally {
      DataBufferUtils.release(buf);
    }
  }
}
