package io.edgenpu.loadtests;

import io.edgenpu.api.grpc.GRPCInferenceServiceGrpc;
import io.edgenpu.api.grpc.InferTensorContents;
import io.edgenpu.api.grpc.ModelInferRequest;
import io.edgenpu.api.grpc.ModelInferResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.Recorder;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * A small load generator for the gateway benchmarks, REST or gRPC, to one loopback endpoint:
 *
 * <ul>
 *   <li>{@code closed C}: C requests always in flight (each answer sends the next) - throughput;
 *   <li>{@code open R}: R requests per second at fixed intervals, latency measured from each
 *       request's intended send time (no coordinated omission) - latency at a given load.
 * </ul>
 *
 * Prints {@code requests_per_s,p50_ms,p99_ms,errors}. The gRPC request is the {@code simple}
 * model's (INPUT0 = 0..15, INPUT1 = 1s). Usage: {@code LoadClient rest|grpc <host:port> <rest body
 * file or -> closed|open <C or R> <seconds>}.
 */
public final class LoadClient {
  private LoadClient() {}

  /** Sends one request and calls back with whether it succeeded. */
  interface Target {
    void send(Consumer<Boolean> done);
  }

  public static void main(String[] args) throws Exception {
    String protocol = args[0];
    String address = args[1];
    if (args[3].equals(
        "capture")) { // LoadClient grpc <host:port> - capture <file>: the service's answer, for the
      // bare endpoint
      String[] hp = address.split(":", -1);
      ManagedChannel channel =
          NettyChannelBuilder.forAddress(hp[0], Integer.parseInt(hp[1])).usePlaintext().build();
      ModelInferResponse r =
          GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(simpleRequest());
      Files.write(Path.of(args[4]), r.toByteArray());
      channel.shutdownNow();
      return;
    }
    String mode = args[3];
    double amount = Double.parseDouble(args[4]);
    double seconds = Double.parseDouble(args[5]);
    Target target =
        protocol.equals("grpc")
            ? grpc(address)
            : rest(address, Files.readAllBytes(Path.of(args[2])));
    // Warm-up: two seconds closed loop at the same concurrency (or 4 for open loop).
    run(target, "closed", mode.equals("closed") ? amount : 4, 2, new Recorder(3));
    Recorder latencies = new Recorder(3);
    long[] counts = run(target, mode, amount, seconds, latencies);
    var h = latencies.getIntervalHistogram();
    System.out.printf(
        Locale.ROOT,
        "%.1f,%.3f,%.3f,%d%n",
        counts[0] / seconds,
        h.getValueAtPercentile(50) / 1e6,
        h.getValueAtPercentile(99) / 1e6,
        counts[1]);
    System.exit(0);
  }

  /** Returns {answered, errors}. Latencies in nanoseconds go to {@code latencies}. */
  static long[] run(Target target, String mode, double amount, double seconds, Recorder latencies)
      throws InterruptedException {
    AtomicLong answered = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    if (mode.equals("closed")) {
      int concurrency = (int) amount;
      CountDownLatch finished = new CountDownLatch(concurrency);
      for (int i = 0; i < concurrency; i++) {
        loop(target, end, latencies, answered, errors, finished);
      }
      finished.await(60 + (long) seconds, TimeUnit.SECONDS);
    } else {
      long interval = (long) (1e9 / amount);
      long due = System.nanoTime();
      AtomicLong outstanding = new AtomicLong();
      while (due < end) {
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        long intended = due;
        outstanding.incrementAndGet();
        target.send(
            ok -> {
              latencies.recordValue(Math.max(0, System.nanoTime() - intended));
              (ok ? answered : errors).incrementAndGet();
              outstanding.decrementAndGet();
            });
        due += interval;
      }
      long drain = System.nanoTime() + 30_000_000_000L;
      while (outstanding.get() > 0 && System.nanoTime() < drain) {
        LockSupport.parkNanos(1_000_000);
      }
    }
    return new long[] {answered.get(), errors.get()};
  }

  private static void loop(
      Target target,
      long end,
      Recorder latencies,
      AtomicLong answered,
      AtomicLong errors,
      CountDownLatch finished) {
    long start = System.nanoTime();
    if (start >= end) {
      finished.countDown();
      return;
    }
    target.send(
        ok -> {
          latencies.recordValue(System.nanoTime() - start);
          (ok ? answered : errors).incrementAndGet();
          loop(target, end, latencies, answered, errors, finished);
        });
  }

  static Target rest(String address, byte[] body) {
    HttpClient client =
        HttpClient.create(ConnectionProvider.builder("load").maxConnections(256).build())
            .baseUrl("http://" + address)
            .headers(h -> h.set("Content-Type", "application/json"));
    String path = "/v2/models/" + System.getProperty("model", "simple") + "/infer";
    return done ->
        client
            .post()
            .uri(path)
            .send(ByteBufFlux.fromString(Mono.just(new String(body, StandardCharsets.UTF_8))))
            .responseSingle(
                (res, content) ->
                    content
                        .asByteArray()
                        .map(b -> res.status().code() == 200)
                        .defaultIfEmpty(false))
            .subscribe(done, e -> done.accept(false));
  }

  static Target grpc(String address) {
    String[] hp = address.split(":", -1);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(hp[0], Integer.parseInt(hp[1])).usePlaintext().build();
    var stub = GRPCInferenceServiceGrpc.newStub(channel);
    ModelInferRequest request = simpleRequest();
    return done ->
        stub.modelInfer(
            request,
            new StreamObserver<>() {
              @Override
              public void onNext(ModelInferResponse value) {}

              @Override
              public void onError(Throwable t) {
                done.accept(false);
              }

              @Override
              public void onCompleted() {
                done.accept(true);
              }
            });
  }

  /** The {@code simple} model's request: INPUT0 = 0..15, INPUT1 = 1s (INT32, batch 1). */
  static ModelInferRequest simpleRequest() {
    InferTensorContents.Builder in0 = InferTensorContents.newBuilder();
    InferTensorContents.Builder in1 = InferTensorContents.newBuilder();
    for (int i = 0; i < 16; i++) {
      in0.addIntContents(i);
      in1.addIntContents(1);
    }
    return ModelInferRequest.newBuilder()
        .setModelName("simple")
        .addInputs(
            ModelInferRequest.InferInputTensor.newBuilder()
                .setName("INPUT0")
                .setDatatype("INT32")
                .addShape(1)
                .addShape(16)
                .setContents(in0))
        .addInputs(
            ModelInferRequest.InferInputTensor.newBuilder()
                .setName("INPUT1")
                .setDatatype("INT32")
                .addShape(1)
                .addShape(16)
                .setContents(in1))
        .build();
  }
}
