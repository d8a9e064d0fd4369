package io.edgenpu.service.grpc;

import io.edgenpu.api.grpc.InferParameter;
import io.edgenpu.api.grpc.ModelInferRequest;
import io.edgenpu.api.grpc.ModelInferResponse;
import io.edgenpu.api.grpc.ModelStreamInferResponse;
import io.edgenpu.service.inference.Caller;
import io.edgenpu.service.inference.InferenceRequest;
import io.edgenpu.service.inference.InferenceService;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@code ModelStreamInfer} stream (Triton's semantics): each request is answered by one {@code
 * ModelStreamInferResponse} carrying its {@code id}, either the result or {@code error_message} (a
 * bad request does not end the stream). Backpressure: the server asks gRPC for at most {@code
 * window} requests beyond those answered (manual flow control), so a fast client cannot pile up
 * unbounded work. Each request keeps its own {@code timeout}/priority; the stream's deadline caps
 * them. When the client cancels, every request of the stream still in flight is cancelled; after
 * the client half-closes, the stream completes once the last answer is out.
 */
final class StreamInferCall implements StreamObserver<ModelInferRequest> {
  private final InferenceService inference;
  private final ServerCallStreamObserver<ModelStreamInferResponse> out;
  private final long maxElements;
  private final Runnable onClose;
  private final Caller caller;
  private final Set<InferenceService.Call> inFlight = ConcurrentHashMap.newKeySet();
  private final AtomicInteger outstanding = new AtomicInteger();
  private volatile boolean halfClosed;
  private volatile boolean finished;

  StreamInferCall(
      InferenceService inference,
      ServerCallStreamObserver<ModelStreamInferResponse> out,
      int window,
      long maxElements,
      Caller caller,
      Runnable onClose) {
    this.inference = inference;
    this.caller = caller;
    this.out = out;
    this.maxElements = maxElements;
    this.onClose = onClose;
    out.disableAutoRequest();
    out.setOnCancelHandler(
        () -> {
          finished = true;
          inFlight.forEach(InferenceService.Call::cancel);
          onClose.run();
        });
    out.request(window);
  }

  @Override
  public void onNext(ModelInferRequest request) {
    outstanding.incrementAndGet();
    InferenceRequest ir;
    try {
      Deadline deadline = Context.current().getDeadline();
      long deadlineNanos =
          deadline == null
              ? 0
              : System.nanoTime() + Math.max(1, deadline.timeRemaining(TimeUnit.NANOSECONDS));
      ir = GrpcCodec.decode(request, deadlineNanos, maxElements);
    } catch (RuntimeException e) {
      answer(error(request.getId(), e));
      return;
    }
    InferenceService.Call call = inference.infer(ir, caller);
    inFlight.add(call);
    CompletableFuture<?> unused =
        call.result()
            .whenComplete(
                (result, failure) -> {
                  inFlight.remove(call);
                  if (failure != null) {
                    answer(error(request.getId(), failure));
                  } else {
                    ModelStreamInferResponse r;
                    try {
                      r =
                          ModelStreamInferResponse.newBuilder()
                              .setInferResponse(GrpcCodec.encode(result))
                              .build();
                    } catch (RuntimeException e) {
                      r = error(request.getId(), e);
                    }
                    answer(r);
                  }
                });
    if (finished) {
      call.cancel();
    }
  }

  /**
   * An error answer: Triton's {@code error_message}, plus (our extension, ignored by Triton's
   * clients) the gRPC status code's name in the response parameter {@code status}, as the unary
   * call would have ended.
   */
  private static ModelStreamInferResponse error(String id, Throwable failure) {
    Status status = OipGrpcService.toStatus(failure).getStatus();
    String message = status.getDescription();
    return ModelStreamInferResponse.newBuilder()
        .setErrorMessage(message == null ? "error" : message)
        .setInferResponse(
            ModelInferResponse.newBuilder()
                .setId(id)
                .putParameters(
                    "status",
                    InferParameter.newBuilder().setStringParam(status.getCode().name()).build()))
        .build();
  }

  /**
   * Sends one answer (serialised: a StreamObserver is not thread-safe), then admits one more
   * request.
   */
  private void answer(ModelStreamInferResponse response) {
    synchronized (this) {
      if (finished) {
        return;
      }
      try {
        out.onNext(response);
      } catch (RuntimeException e) {
        return; // the call was cancelled under us
      }
      boolean last = outstanding.decrementAndGet() == 0 && halfClosed;
      if (last) {
        complete();
      } else {
        out.request(1);
      }
    }
  }

  @Override
  public void onError(Throwable t) {
    finished = true;
    inFlight.forEach(InferenceService.Call::cancel);
    onClose.run();
  }

  @Override
  public void onCompleted() {
    synchronized (this) {
      halfClosed = true;
      if (outstanding.get() == 0) {
        complete();
      }
    }
  }

  private void complete() {
    if (!finished) {
      finished = true;
      out.onCompleted();
      onClose.run();
    }
  }
}
