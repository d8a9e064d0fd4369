package io.edgenpu.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.api.grpc.GRPCInferenceServiceGrpc;
import io.edgenpu.api.grpc.InferTensorContents;
import io.edgenpu.api.grpc.ModelInferRequest;
import io.edgenpu.api.grpc.ModelStreamInferResponse;
import io.edgenpu.service.testing.ToyServerTestBase;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bidirectional streaming inference (Triton's ModelStreamInfer) over a real socket: every request
 * answered once with its id, bad requests answered in-stream, a window of 3 unanswered requests per
 * stream (set by the test base) that still lets 40 requests through, cancellation reaching queued
 * requests, and the limit on open streams.
 */
class StreamInferIntegrationTest extends ToyServerTestBase {
  private ManagedChannel channel;

  @BeforeEach
  void open() {
    channel = channel();
  }

  @AfterEach
  void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  static ModelInferRequest affine(String id, float v) {
    return ModelInferRequest.newBuilder()
        .setModelName("affine")
        .setId(id)
        .addInputs(
            ModelInferRequest.InferInputTensor.newBuilder()
                .setName("x")
                .setDatatype("FP32")
                .addShape(1)
                .addShape(4)
                .setContents(
                    InferTensorContents.newBuilder().addAllFp32Contents(List.of(v, v, v, v))))
        .build();
  }

  /** Collects a stream's responses and its end. */
  static final class Collector
      implements ClientResponseObserver<ModelInferRequest, ModelStreamInferResponse> {
    final List<ModelStreamInferResponse> responses = new CopyOnWriteArrayList<>();
    final AtomicReference<Object> end = new AtomicReference<>();
    volatile ClientCallStreamObserver<ModelInferRequest> requests;

    @Override
    public void beforeStart(ClientCallStreamObserver<ModelInferRequest> requestStream) {
      this.requests = requestStream;
    }

    @Override
    public void onNext(ModelStreamInferResponse value) {
      responses.add(value);
    }

    @Override
    public void onError(Throwable t) {
      end.set(t);
    }

    @Override
    public void onCompleted() {
      end.set("completed");
    }
  }

  @Test
  void everyRequestGetsOneTaggedAnswerAndBadOnesDoNotEndTheStream() {
    Collector c = new Collector();
    StreamObserver<ModelInferRequest> in =
        GRPCInferenceServiceGrpc.newStub(channel).modelStreamInfer(c);
    for (int i = 0; i < 40; i++) {
      in.onNext(affine("r" + i, i));
      if (i == 10) {
        in.onNext(affine("bad-model", 1).toBuilder().setModelName("nope").build());
      }
      if (i == 20) {
        in.onNext(
            affine("bad-type", 1).toBuilder()
                .setInputs(0, affine("x", 1).getInputs(0).toBuilder().setDatatype("INT32"))
                .build());
      }
    }
    in.onCompleted();
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> c.end.get() != null);
    assertThat(c.end.get()).isEqualTo("completed");
    assertThat(c.responses).hasSize(42);
    Map<String, ModelStreamInferResponse> byId = new HashMap<>();
    for (ModelStreamInferResponse r : c.responses) {
      assertThat(byId.put(r.getInferResponse().getId(), r))
          .as("answered once: " + r.getInferResponse().getId())
          .isNull();
    }
    for (int i = 0; i < 40; i++) {
      ModelStreamInferResponse r = byId.get("r" + i);
      assertThat(r.getErrorMessage()).isEmpty();
      float y =
          ByteBuffer.wrap(r.getInferResponse().getRawOutputContents(0).toByteArray())
              .order(ByteOrder.LITTLE_ENDIAN)
              .getFloat();
      assertThat(y).as("r" + i).isEqualTo(2f * i + 1);
    }
    assertThat(byId.get("bad-model").getErrorMessage()).contains("nope");
    assertThat(byId.get("bad-type").getErrorMessage()).contains("INT32 elements");
  }

  @Test
  void cancellingTheStreamCancelsItsQueuedRequestsBeforeTheyExecute() {
    // affine-batched holds requests up to 2 s waiting for a batch of 4: three requests stay queued.
    double cancelledBefore = failures("CANCELLED");
    double executionsBefore = scrape("edgenpu_execution_count_total", "model=\"affine-batched\"");
    Collector c = new Collector();
    GRPCInferenceServiceGrpc.newStub(channel).modelStreamInfer(c);
    for (int i = 0; i < 3; i++) {
      c.requests.onNext(affine("q" + i, i).toBuilder().setModelName("affine-batched").build());
    }
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pending("affine-batched") >= 3);
    c.requests.cancel("client went away", null);
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> failures("CANCELLED") >= cancelledBefore + 3);
    assertThat(scrape("edgenpu_execution_count_total", "model=\"affine-batched\""))
        .isEqualTo(executionsBefore);
    assertThat(c.responses).isEmpty();
  }

  @Test
  void streamsBeyondTheLimitAreRefused() {
    List<Collector> open = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Collector c = new Collector();
      GRPCInferenceServiceGrpc.newStub(channel).modelStreamInfer(c).onNext(affine("s" + i, 1));
      open.add(c);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !c.responses.isEmpty());
    }
    Collector fifth = new Collector();
    GRPCInferenceServiceGrpc.newStub(channel).modelStreamInfer(fifth).onNext(affine("s5", 1));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> fifth.end.get() != null);
    assertThat(Status.fromThrowable((Throwable) fifth.end.get()).getCode())
        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    open.forEach(c -> c.requests.onCompleted());
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> open.stream().allMatch(c -> "completed".equals(c.end.get())));
    Collector again = new Collector();
    GRPCInferenceServiceGrpc.newStub(channel).modelStreamInfer(again).onNext(affine("again", 1));
    again.requests.onCompleted();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> again.end.get() != null);
    assertThat(again.end.get()).isEqualTo("completed");
    assertThat(again.responses).hasSize(1);
  }

  private double failures(String reason) {
    return scrape("edgenpu_request_failure_total", "reason=\"" + reason + "\"");
  }

  private double pending(String model) {
    return scrape("edgenpu_pending_requests", "model=\"" + model + "\"");
  }

  private double scrape(String family, String label) {
    String body =
        http.get()
            .uri("/actuator/prometheus")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();
    return body.lines()
        .filter(l -> l.startsWith(family + "{") && l.contains(label))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }
}
