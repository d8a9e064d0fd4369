package io.edgenpu.loadtests.soak;

import io.edgenpu.api.grpc.GRPCInferenceServiceGrpc;
import io.edgenpu.api.grpc.ModelInferResponse;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A device on gRPC {@code ModelInfer} (no call deadline: the model's SLO is the request's). Every
 * {@code cancelEvery}-th call is cancelled by the client 0-20 ms after it is sent.
 */
final class GrpcUnaryDevice extends SimulatedDevice {
  private final Ledger ledger;
  private final Ledger cancelled;
  private final GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub;
  private final Pending pending;
  private final ScheduledExecutorService timer;
  private final int cancelEvery;
  private int count;

  GrpcUnaryDevice(
      String name,
      Requests requests,
      Phase phase,
      double rate,
      ScheduledExecutorService timer,
      long seed,
      Ledger ledger,
      Ledger cancelled,
      ManagedChannel channel,
      int cancelEvery) {
    super(name, requests, phase, rate, timer, seed);
    this.ledger = ledger;
    this.cancelled = cancelled;
    this.stub = GRPCInferenceServiceGrpc.newStub(channel);
    this.pending = new Pending(ledger);
    this.timer = timer;
    this.cancelEvery = cancelEvery;
    Future<?> unused =
        timer.scheduleWithFixedDelay(
            () -> pending.expire(System.nanoTime()), 1, 1, TimeUnit.SECONDS);
  }

  @Override
  protected void send(String model, String id) {
    boolean cancel = cancelEvery > 0 && ++count % cancelEvery == 0;
    long sent = System.nanoTime();
    Context.CancellableContext ctx = Context.current().withCancellation();
    AtomicBoolean cancelledByUs = new AtomicBoolean();
    if (!cancel) {
      pending.sent(id);
    }
    ctx.run(
        () ->
            stub.modelInfer(
                requests.grpc(model, id, name),
                new StreamObserver<>() {
                  @Override
                  public void onNext(ModelInferResponse value) {}

                  @Override
                  public void onError(Throwable t) {
                    Status s = Status.fromThrowable(t);
                    if (cancel) {
                      if (cancelledByUs.get() && s.getCode() == Status.Code.CANCELLED) {
                        cancelled.sent();
                        cancelled.cancelledByClient();
                      } else {
                        cancelled.sent();
                        cancelled.answered(
                            Requests.httpStatusOf(s.getCode()), String.valueOf(s.getDescription()));
                      }
                      return;
                    }
                    if (!pending.settle(id)) {
                      return;
                    }
                    boolean transportFailure =
                        s.getCause() != null
                            && (s.getCode() == Status.Code.UNAVAILABLE
                                || s.getCode() == Status.Code.UNKNOWN
                                || s.getCode() == Status.Code.INTERNAL);
                    if (transportFailure && phase.shuttingDownAt(sent)) {
                      ledger.sent.decrementAndGet();
                      ledger.refused(); // the channel could not reach the server any more: shutdown
                    } else if (transportFailure) {
                      ledger.unanswered("grpc " + id + " (" + model + "): transport failure " + s);
                    } else {
                      ledger.answered(
                          Requests.httpStatusOf(s.getCode()), String.valueOf(s.getDescription()));
                    }
                  }

                  @Override
                  public void onCompleted() {
                    if (cancel) {
                      cancelled.sent();
                      cancelled.answered(200, "");
                    } else if (pending.settle(id)) {
                      ledger.answered(200, "");
                    }
                  }
                }));
    if (cancel) {
      Future<?> unused =
          timer.schedule(
              () -> {
                cancelledByUs.set(true);
                ctx.cancel(null);
              },
              rnd.nextInt(20),
              TimeUnit.MILLISECONDS);
    }
  }

  @Override
  void close() {
    pending.lostAll("no answer when the soak ended", phase);
  }

  @Override
  int outstanding() {
    return pending.size();
  }
}
