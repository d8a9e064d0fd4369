package io.edgenpu.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.edgenpu.api.grpc.GRPCInferenceServiceGrpc;
import io.edgenpu.api.grpc.InferParameter;
import io.edgenpu.api.grpc.InferTensorContents;
import io.edgenpu.api.grpc.ModelInferRequest;
import io.edgenpu.api.grpc.ModelInferResponse;
import io.edgenpu.api.grpc.ModelMetadataRequest;
import io.edgenpu.api.grpc.ModelMetadataResponse;
import io.edgenpu.api.grpc.ModelReadyRequest;
import io.edgenpu.api.grpc.ModelStatisticsRequest;
import io.edgenpu.api.grpc.ModelStatisticsResponse;
import io.edgenpu.api.grpc.RepositoryIndexRequest;
import io.edgenpu.api.grpc.RepositoryIndexResponse;
import io.edgenpu.api.grpc.RepositoryModelLoadRequest;
import io.edgenpu.api.grpc.RepositoryModelUnloadRequest;
import io.edgenpu.api.grpc.ServerLiveRequest;
import io.edgenpu.api.grpc.ServerMetadataRequest;
import io.edgenpu.api.grpc.ServerReadyRequest;
import io.edgenpu.service.testing.TestModels;
import io.edgenpu.service.testing.ToyServerTestBase;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every RPC of inference.GRPCInferenceService over a real socket, with an unmodified generated
 * stub.
 */
class OipGrpcIntegrationTest extends ToyServerTestBase {
  private ManagedChannel channel;
  private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;

  @BeforeEach
  void connect() {
    channel = channel();
    stub =
        GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static ModelInferRequest.InferInputTensor.Builder input(
      String name, String datatype, long... shape) {
    ModelInferRequest.InferInputTensor.Builder b =
        ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype(datatype);
    for (long d : shape) {
      b.addShape(d);
    }
    return b;
  }

  private static float[] floats(ByteString raw) {
    ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  @Test
  void healthAndServerMetadata() {
    assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
    assertThat(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
    assertThat(stub.serverMetadata(ServerMetadataRequest.getDefaultInstance()).getName())
        .isEqualTo("edge-npu-serving");
    assertThat(stub.serverMetadata(ServerMetadataRequest.getDefaultInstance()).getExtensionsList())
        .contains("statistics");
  }

  @Test
  void modelReadyAndMetadata() {
    assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName("affine").build()).getReady())
        .isTrue();
    assertThat(
            stub.modelReady(
                    ModelReadyRequest.newBuilder().setName("affine").setVersion("1").build())
                .getReady())
        .isTrue();
    ModelMetadataResponse md =
        stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("affine").build());
    assertThat(md.getName()).isEqualTo("affine");
    assertThat(md.getVersionsList()).containsExactly("1");
    assertThat(md.getInputs(0).getDatatype()).isEqualTo("FP32");
    assertThat(md.getInputs(0).getShapeList()).containsExactly(-1L, 4L);
    assertThatThrownBy(
            () -> stub.modelReady(ModelReadyRequest.newBuilder().setName("nope").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void modelInferWithTypedContents() {
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("affine")
            .setId("g-1")
            .putParameters(
                "client_id", InferParameter.newBuilder().setStringParam("camera-7").build())
            .addInputs(
                input("x", "FP32", 2, 4)
                    .setContents(
                        InferTensorContents.newBuilder()
                            .addAllFp32Contents(List.of(1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f))))
            .build();
    ModelInferResponse res = stub.modelInfer(req);
    assertThat(res.getId()).isEqualTo("g-1");
    assertThat(res.getModelName()).isEqualTo("affine");
    assertThat(res.getModelVersion()).isEqualTo("1");
    assertThat(res.getOutputs(0).getName()).isEqualTo("y");
    assertThat(res.getOutputs(0).getShapeList()).containsExactly(2L, 4L);
    assertThat(floats(res.getRawOutputContents(0))).containsExactly(3, 5, 7, 9, 11, 13, 15, 17);
  }

  @Test
  void modelInferWithRawInputContents() {
    ByteBuffer b =
        ByteBuffer.allocate(16)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putFloat(0)
            .putFloat(0.5f)
            .putFloat(-1)
            .putFloat(100);
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("affine")
            .setModelVersion("1")
            .addInputs(input("x", "FP32", 1, 4))
            .addRawInputContents(ByteString.copyFrom(b.array()))
            .build();
    assertThat(floats(stub.modelInfer(req).getRawOutputContents(0))).containsExactly(1, 2, -1, 201);
  }

  @Test
  void modelInferOnEarlyExitModelReportsTheExitTaken() {
    float[] x = new float[TestModels.EE_WIDTH];
    x[5] = 20;
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (float v : x) {
      c.addFp32Contents(v);
    }
    ModelInferResponse res =
        stub.modelInfer(
            ModelInferRequest.newBuilder()
                .setModelName("ee-toy")
                .addInputs(input("x", "FP32", 1, TestModels.EE_WIDTH).setContents(c))
                .build());
    assertThat(res.getOutputs(1).getName()).isEqualTo("exit_index");
    assertThat(
            res.getRawOutputContents(1)
                .asReadOnlyByteBuffer()
                .order(ByteOrder.LITTLE_ENDIAN)
                .getInt())
        .isZero();
  }

  @Test
  void errorsMapToGrpcStatusCodes() {
    assertThatThrownBy(
            () ->
                stub.modelInfer(
                    ModelInferRequest.newBuilder()
                        .setModelName("nope")
                        .addInputs(
                            input("x", "FP32", 1, 4)
                                .setContents(
                                    InferTensorContents.newBuilder()
                                        .addAllFp32Contents(List.of(1f, 2f, 3f, 4f))))
                        .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    assertThatThrownBy(
            () ->
                stub.modelInfer(
                    ModelInferRequest.newBuilder()
                        .setModelName("affine")
                        .addInputs(
                            input("x", "INT32", 1, 4)
                                .setContents(
                                    InferTensorContents.newBuilder()
                                        .addAllIntContents(List.of(1, 2, 3, 4))))
                        .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains("FP32");
            });
    // A deadline shorter than one emulated batch of the slow model (admission control off, so the
    // request is
    // queued and then dropped at its deadline): DEADLINE_EXCEEDED.
    InferTensorContents.Builder zeros = InferTensorContents.newBuilder();
    for (int i = 0; i < TestModels.SLOW_WIDTH; i++) {
      zeros.addFp32Contents(0f);
    }
    assertThatThrownBy(
            () ->
                GRPCInferenceServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.MILLISECONDS)
                    .modelInfer(
                        ModelInferRequest.newBuilder()
                            .setModelName("slow-no-admission")
                            .addInputs(
                                input("x", "FP32", 1, TestModels.SLOW_WIDTH).setContents(zeros))
                            .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
  }

  @Test
  void statisticsAndRepositoryRpcs() {
    stub.modelInfer(
        ModelInferRequest.newBuilder()
            .setModelName("affine")
            .addInputs(
                input("x", "FP32", 1, 4)
                    .setContents(
                        InferTensorContents.newBuilder()
                            .addAllFp32Contents(List.of(1f, 1f, 1f, 1f))))
            .build());
    ModelStatisticsResponse stats =
        stub.modelStatistics(ModelStatisticsRequest.newBuilder().setName("affine").build());
    assertThat(stats.getModelStats(0).getInferenceCount()).isPositive();
    assertThat(stats.getModelStats(0).getInferenceStats().getSuccess().getCount()).isPositive();
    assertThat(
            stub.modelStatistics(ModelStatisticsRequest.getDefaultInstance()).getModelStatsCount())
        .isGreaterThanOrEqualTo(3);
    RepositoryIndexResponse index =
        stub.repositoryIndex(RepositoryIndexRequest.getDefaultInstance());
    assertThat(index.getModelsList())
        .anyMatch(m -> m.getName().equals("ee-toy") && m.getState().equals("READY"));
    stub.repositoryModelUnload(
        RepositoryModelUnloadRequest.newBuilder().setModelName("affine-batched").build());
    assertThat(
            stub.modelReady(ModelReadyRequest.newBuilder().setName("affine-batched").build())
                .getReady())
        .isFalse();
    stub.repositoryModelLoad(
        RepositoryModelLoadRequest.newBuilder().setModelName("affine-batched").build());
    assertThat(
            stub.modelReady(ModelReadyRequest.newBuilder().setName("affine-batched").build())
                .getReady())
        .isTrue();
    assertThatThrownBy(
            () ->
                stub.repositoryModelLoad(
                    RepositoryModelLoadRequest.newBuilder().setModelName("../etc").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }
}
