package io.edgenpu.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.edgenpu.api.grpc.GRPCInferenceServiceGrpc;
import io.edgenpu.api.grpc.InferParameter;
import io.edgenpu.api.grpc.InferTensorContents;
import io.edgenpu.api.grpc.ModelInferRequest;
import io.edgenpu.api.grpc.ModelInferRequest.InferInputTensor;
import io.edgenpu.api.grpc.ModelStreamInferResponse;
import io.edgenpu.api.grpc.ServerReadyRequest;
import io.edgenpu.service.testing.ToyServerTestBase;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed and hostile gRPC inference requests: each gets the right status code and a description,
 * never INTERNAL or UNKNOWN, both as a unary ModelInfer and as one message of a ModelStreamInfer
 * stream (where it is answered in-stream with {@code error_message} and the stream stays open); the
 * server stays ready.
 */
public class MalformedGrpcRequestsIntegrationTest extends ToyServerTestBase {
  /**
   * One hostile request: how to spoil a valid affine request, the expected code, and a word of the
   * description.
   */
  public record Case(
      String name,
      UnaryOperator<ModelInferRequest.Builder> spoil,
      Status.Code code,
      String contains) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static InferInputTensor.Builder x(String datatype, long... shape) {
    InferInputTensor.Builder b = InferInputTensor.newBuilder().setName("x").setDatatype(datatype);
    for (long d : shape) {
      b.addShape(d);
    }
    return b;
  }

  private static InferTensorContents fp32(int n) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (int i = 0; i < n; i++) {
      c.addFp32Contents(i);
    }
    return c.build();
  }

  static ModelInferRequest.Builder valid() {
    return ModelInferRequest.newBuilder()
        .setModelName("affine")
        .setId("v")
        .addInputs(x("FP32", 1, 4).setContents(fp32(4)));
  }

  private static Case c(
      String name,
      UnaryOperator<ModelInferRequest.Builder> spoil,
      Status.Code code,
      String contains) {
    return new Case(name, spoil, code, contains);
  }

  private static UnaryOperator<ModelInferRequest.Builder> input(InferInputTensor.Builder in) {
    return b -> b.clearInputs().addInputs(in);
  }

  private static InferParameter.Builder str(String s) {
    return InferParameter.newBuilder().setStringParam(s);
  }

  public static Stream<Case> cases() {
    Status.Code invalid = Status.Code.INVALID_ARGUMENT;
    return Stream.of(
        c("no model name", b -> b.setModelName(""), invalid, "model_name"),
        c("unknown model", b -> b.setModelName("ghost"), Status.Code.NOT_FOUND, "ghost"),
        c("unknown version", b -> b.setModelVersion("9"), Status.Code.NOT_FOUND, "version"),
        c(
            "non-numeric version",
            b -> b.setModelVersion("latest"),
            Status.Code.NOT_FOUND,
            "version"),
        c("no inputs", ModelInferRequest.Builder::clearInputs, invalid, "no inputs"),
        c(
            "input without name",
            input(x("FP32", 1, 4).setName("").setContents(fp32(4))),
            invalid,
            "no name"),
        c(
            "unknown input",
            input(x("FP32", 1, 4).setName("z").setContents(fp32(4))),
            invalid,
            "unexpected input"),
        c(
            "unknown datatype",
            input(x("FLOAT", 1, 4).setContents(fp32(4))),
            invalid,
            "unknown datatype"),
        c(
            "wrong datatype",
            input(
                x("INT32", 1, 4)
                    .setContents(
                        InferTensorContents.newBuilder().addAllIntContents(List.of(1, 2, 3, 4)))),
            invalid,
            "FP32"),
        c(
            "FP16 in typed contents",
            input(x("FP16", 1, 4).setContents(fp32(4))),
            invalid,
            "raw_input_contents"),
        c("no contents", input(x("FP32", 1, 4)), invalid, "no contents"),
        c(
            "fewer contents than the shape",
            input(x("FP32", 1, 4).setContents(fp32(3))),
            invalid,
            "needs 4"),
        c(
            "more contents than the shape",
            input(x("FP32", 1, 4).setContents(fp32(5))),
            invalid,
            "needs 4"),
        c(
            "contents of another type",
            input(
                x("FP32", 1, 4)
                    .setContents(
                        InferTensorContents.newBuilder()
                            .addAllInt64Contents(List.of(1L, 2L, 3L, 4L)))),
            invalid,
            "elements"),
        c("negative dimension", input(x("FP32", -1, 4).setContents(fp32(4))), invalid, "x"),
        c(
            "huge dimensions",
            input(x("FP32", 1_000_000_000L, 1_000_000_000L).setContents(fp32(4))),
            invalid,
            "x"),
        c(
            "overflowing dimensions",
            input(x("FP32", Long.MAX_VALUE, 2).setContents(fp32(4))),
            invalid,
            "x"),
        c(
            "rank 17",
            input(
                x("FP32", 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4).setContents(fp32(4))),
            invalid,
            "x"),
        c("wrong rank", input(x("FP32", 4).setContents(fp32(4))), invalid, "shape"),
        c("wrong sample dimension", input(x("FP32", 1, 5).setContents(fp32(5))), invalid, "shape"),
        c("zero batch", input(x("FP32", 0, 4).setContents(fp32(0))), invalid, "batch size"),
        c(
            "batch above the limit",
            input(x("FP32", 65, 4).setContents(fp32(260))),
            invalid,
            "batch size"),
        c(
            "duplicate input",
            b -> b.addInputs(x("FP32", 1, 4).setContents(fp32(4))),
            invalid,
            "more than once"),
        c(
            "raw contents for two inputs",
            b ->
                b.clearInputs()
                    .addInputs(x("FP32", 1, 4))
                    .addRawInputContents(ByteString.copyFrom(new byte[16]))
                    .addRawInputContents(ByteString.copyFrom(new byte[16])),
            invalid,
            "raw_input_contents"),
        c(
            "raw contents of the wrong length",
            b ->
                b.clearInputs()
                    .addInputs(x("FP32", 1, 4))
                    .addRawInputContents(ByteString.copyFrom(new byte[15])),
            invalid,
            "x"),
        c(
            "raw and typed contents together",
            b -> b.addRawInputContents(ByteString.copyFrom(new byte[16])),
            invalid,
            "raw_input_contents"),
        c(
            "unknown requested output",
            b ->
                b.addOutputs(
                    ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("nope")),
            invalid,
            "unknown output"),
        c(
            "output requested twice",
            b ->
                b.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("y"))
                    .addOutputs(
                        ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("y")),
            invalid,
            "more than once"),
        c(
            "priority as a string",
            b -> b.putParameters("priority", str("high").build()),
            invalid,
            "priority"),
        c(
            "negative priority",
            b -> b.putParameters("priority", InferParameter.newBuilder().setInt64Param(-3).build()),
            invalid,
            "priority"),
        c(
            "timeout as a string",
            b -> b.putParameters("timeout", str("soon").build()),
            invalid,
            "timeout"),
        c(
            "exit threshold on a plain model",
            b ->
                b.putParameters(
                    "exit_threshold", InferParameter.newBuilder().setDoubleParam(0.5).build()),
            invalid,
            "early-exit"),
        c(
            "overlong client id",
            b -> b.putParameters("client_id", str("d".repeat(300)).build()),
            invalid,
            "client_id"),
        c(
            "timeline not a boolean",
            b ->
                b.setModelName("echo-int")
                    .clearInputs()
                    .addInputs(
                        x("INT64", 1, 3)
                            .setContents(
                                InferTensorContents.newBuilder()
                                    .addAllInt64Contents(List.of(1L, 2L, 3L))))
                    .putParameters("timeline", str("yes").build()),
            invalid,
            "timeline"));
  }

  private ManagedChannel channel;
  private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;

  @BeforeEach
  void open() {
    channel = channel();
    stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void unaryRequestGetsTheRightCode(Case c) {
    ModelInferRequest bad = c.spoil().apply(valid()).build();
    assertThatThrownBy(() -> stub.modelInfer(bad))
        .as(c.name())
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode())
                  .as(c.name() + ": " + e.getStatus())
                  .isEqualTo(c.code());
              assertThat(e.getStatus().getDescription())
                  .as(c.name())
                  .containsIgnoringCase(c.contains());
            });
  }

  @Test
  void inAStreamEachBadMessageIsAnsweredInStreamAndTheStreamGoesOn() {
    StreamInferIntegrationTest.Collector collector = new StreamInferIntegrationTest.Collector();
    GRPCInferenceServiceGrpc.newStub(channel).modelStreamInfer(collector);
    List<Case> all = cases().toList();
    for (int i = 0; i < all.size(); i++) {
      collector.requests.onNext(all.get(i).spoil().apply(valid()).setId("bad" + i).build());
    }
    collector.requests.onNext(valid().setId("good").build());
    collector.requests.onCompleted();
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> collector.end.get() != null);
    assertThat(collector.responses).hasSize(all.size() + 1);
    for (ModelStreamInferResponse r : collector.responses) {
      if (r.getErrorMessage().isEmpty()) {
        assertThat(r.getInferResponse().getId()).isEqualTo("good");
      }
    }
    assertThat(collector.responses.stream().filter(r -> !r.getErrorMessage().isEmpty()).count())
        .isEqualTo(all.size());
    assertThat(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
  }
}
