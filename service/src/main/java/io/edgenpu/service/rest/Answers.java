package io.edgenpu.service.rest;

import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.InferenceResult;
import io.edgenpu.service.inference.InferenceService;
import io.edgenpu.service.inference.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;

/**
 * The answer of an inference call as a {@link Mono}, for the reactive gateways (REST, WebSocket).
 *
 * <p>Cancelling the Mono (the client went away) cancels the call. A client going away is ordinary:
 * the call's answer that follows (usually "cancelled") has no one to go to and is let go quietly,
 * instead of reaching Reactor as a dropped error (which it logs at ERROR with a stack trace).
 */
public final class Answers {
  private Answers() {}

  public static Mono<InferenceResult> of(InferenceService.Call call) {
    return Mono.create(
        sink -> {
          AtomicBoolean over = new AtomicBoolean();
          sink.onCancel(
              () -> {
                if (over.compareAndSet(false, true)) {
                  call.cancel();
                }
              });
          CompletableFuture<?> unused =
              call.result()
                  .whenComplete(
                      (result, error) -> {
                        if (!over.compareAndSet(false, true)) {
                          return; // cancelled by the subscriber: nobody to answer
                        }
                        if (error == null) {
                          sink.success(result);
                          return;
                        }
                        Throwable e =
                            error instanceof CompletionException c && c.getCause() != null
                                ? c.getCause()
                                : error;
                        if (e instanceof InferenceException ie && ie.status() == Status.CANCELLED) {
                          return; // only a client's cancel leads here; its subscriber is gone or
                          // going
                        }
                        sink.error(e);
                      });
        });
  }
}
