package io.edgenpu.loadtests;

import io.edgenpu.api.grpc.GRPCInferenceServiceGrpc;
import io.edgenpu.api.grpc.ModelInferRequest;
import io.edgenpu.api.grpc.ModelInferResponse;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The gRPC baseline of the gateway-overhead benchmark: the OIP gRPC service on grpc-java's Netty
 * server (as the service uses), whose ModelInfer answers a constant response (the service's own
 * answer, captured) to any request. Usage: {@code BareGrpcEndpoint <port> <response.bin>}. Binds to
 * loopback only.
 */
public final class BareGrpcEndpoint {
  private BareGrpcEndpoint() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    ModelInferResponse response =
        ModelInferResponse.parseFrom(Files.readAllBytes(Path.of(args[1])));
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
            .addService(
                new GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase() {
                  @Override
                  public void modelInfer(
                      ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
                    out.onNext(response);
                    out.onCompleted();
                  }
                })
            .build()
            .start();
    System.out.println("bare gRPC endpoint on 127.0.0.1:" + port);
    server.awaitTermination();
  }
}
