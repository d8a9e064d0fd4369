package io.edgenpu.service.testing;

import org.springframework.context.ApplicationListener;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;

/** Captures the gRPC server's random port (spring.grpc.server.address=127.0.0.1:0) for tests. */
public final class GrpcPort implements ApplicationListener<GrpcServerStartedEvent> {
  private volatile int port;

  @Override
  public void onApplicationEvent(GrpcServerStartedEvent event) {
    port = event.getPort();
  }

  public int port() {
    if (port == 0) {
      throw new IllegalStateException("the gRPC server has not started");
    }
    return port;
  }
}
