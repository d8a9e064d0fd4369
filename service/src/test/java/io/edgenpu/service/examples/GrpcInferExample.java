package io.edgenpu.service.examples;

import io.edgenpu.api.grpc.GRPCInferenceServiceGrpc;
import io.edgenpu.api.grpc.InferTensorContents;
import io.edgenpu.api.grpc.ModelInferRequest;
import io.edgenpu.api.grpc.ModelInferResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * The README's gRPC example: classify a blank 32x32 image with ee-digits and print the exit it
 * took.
 */
public final class GrpcInferExample {
  // README-EXAMPLE-START
  public static ModelInferResponse classify(String host, int port) throws InterruptedException {
    ManagedChannel channel = ManagedChannelBuilder.forAddress(host, port).usePlaintext().build();
    try {
      var stub =
          GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS);
      InferTensorContents.Builder pixels = InferTensorContents.newBuilder();
      for (int i = 0; i < 32 * 32; i++) {
        pixels.addFp32Contents(0f); // a blank frame; real devices send grey levels in [0, 1]
      }
      ModelInferRequest request =
          ModelInferRequest.newBuilder()
              .setModelName("ee-digits")
              .setId("doorbell-42")
              .addInputs(
                  ModelInferRequest.InferInputTensor.newBuilder()
                      .setName("image")
                      .setDatatype("FP32")
                      .addShape(1)
                      .addShape(1)
                      .addShape(32)
                      .addShape(32)
                      .setContents(pixels))
              .build();
      ModelInferResponse response =
          stub.modelInfer(request); // the 2 s gRPC deadline becomes the request's deadline
      int exit =
          response
              .getRawOutputContents(1)
              .asReadOnlyByteBuffer()
              .order(ByteOrder.LITTLE_ENDIAN)
              .getInt();
      System.out.println(
          response.getOutputs(0).getName()
              + " "
              + response.getOutputs(0).getShapeList()
              + ", exit "
              + exit);
      return response;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  // README-EXAMPLE-END

  public static void main(String[] args) throws InterruptedException {
    classify(
        args.length > 0 ? args[0] : "localhost",
        args.length > 1 ? Integer.parseInt(args[1]) : 8001);
  }
}
