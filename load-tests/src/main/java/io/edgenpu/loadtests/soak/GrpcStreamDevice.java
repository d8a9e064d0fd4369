package io.edgenpu.loadtests.soak;

import io.edgenpu.api.grpc.GRPCInferenceServiceGrpc;
import io.edgenpu.api.grpc.InferParameter;
import io.edgenpu.api.grpc.ModelInferRequest;
import io.edgenpu.api.grpc.ModelStreamInferResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A device on gRPC {@code ModelStreamInfer}: one long-lived stream, requests matched to answers by
 * id; error answers carry the status code in the response parameter {@code status}. Every {@code
 * cancelEvery}-th second the stream is cancelled by the client with requests in flight (they count
 * as cancelled) and a new one is opened.
 */
final class GrpcStreamDevice extends SimulatedDevice {
  private final Ledger ledger;
  private final Ledger cancelled;
  private final GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub;
  private final Pending pending;
  private @Nullable StreamObserver<ModelInferRequest> stream;

  /** Which stream is current: the end of a stream the client already replaced settles nothing. */
  private long generation;

  GrpcStreamDevice(
      String name,
      Requests requests,
      Phase phase,
      double rate,
      ScheduledExecutorService timer,
      long seed,
      Ledger ledger,
      Ledger cancelled,
      ManagedChannel channel,
      int cancelEverySeconds) {
    super(name, requests, phase, rate, timer, seed);
    this.ledger = ledger;
    this.cancelled = cancelled;
    this.stub = GRPCInferenceServiceGrpc.newStub(channel);
    this.pending = new Pending(ledger);
    Future<?> unused =
        timer.scheduleWithFixedDelay(
            () -> pending.expire(System.nanoTime()), 1, 1, TimeUnit.SECONDS);
    if (cancelEverySeconds > 0) {
      Future<?> unusedCancels =
          timer.scheduleWithFixedDelay(
              this::cancelStream, cancelEverySeconds, cancelEverySeconds, TimeUnit.SECONDS);
    }
  }

  private synchronized StreamObserver<ModelInferRequest> stream() {
    if (stream == null) {
      long current = ++generation;
      stream =
          stub.modelStreamInfer(
              new StreamObserver<>() {
                @Override
                public void onNext(ModelStreamInferResponse r) {
                  String id = r.getInferResponse().getId();
                  if (!pending.settle(id)) {
                    return;
                  }
                  if (r.getErrorMessage().isEmpty()) {
                    ledger.answered(200, "");
                  } else {
                    InferParameter code = r.getInferResponse().getParametersMap().get("status");
                    Status.Code c =
                        code == null
                            ? Status.Code.UNKNOWN
                            : Status.Code.valueOf(code.getStringParam());
                    ledger.answered(Requests.httpStatusOf(c), r.getErrorMessage());
                  }
                }

                @Override
                public void onError(Throwable t) {
                  streamEnded(current, "stream failed: " + Status.fromThrowable(t));
                }

                @Override
                public void onCompleted() {
                  streamEnded(current, "stream completed by the server");
                }
              });
    }
    return stream;
  }

  private synchronized void streamEnded(long ended, String why) {
    if (ended != generation) {
      return; // a stream this client cancelled (its requests already counted) or replaced
    }
    stream = null;
    pending.lostAll(why, phase);
  }

  /**
   * The client cancels its stream with requests in flight: they are the client's own cancellations.
   */
  private synchronized void cancelStream() {
    if (stream == null || phase.stopped()) {
      return;
    }
    StreamObserver<ModelInferRequest> s = stream;
    stream = null;
    generation++;
    int inFlight = pending.cancelAll();
    for (int i = 0; i < inFlight; i++) {
      cancelled.sent();
      cancelled.cancelledByClient();
    }
    s.onError(Status.CANCELLED.withDescription("client cancels its stream").asRuntimeException());
  }

  @Override
  protected synchronized void send(String model, String id) {
    pending.sent(id);
    try {
      stream().onNext(requests.grpc(model, id, name));
    } catch (RuntimeException e) {
      if (pending.settle(id)) {
        ledger.sent.decrementAndGet();
        ledger.refused();
      }
      stream = null;
    }
  }

  @Override
  synchronized void close() {
    if (stream != null) {
      try {
        stream.onCompleted();
      } catch (RuntimeException e) {
        // already gone
      }
      stream = null;
    }
    pending.lostAll("no answer when the soak ended", phase);
  }

  @Override
  int outstanding() {
    return pending.size();
  }
}
