package io.edgenpu.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.service.grpc.MalformedGrpcRequestsIntegrationTest;
import io.edgenpu.service.rest.MalformedRequestsIntegrationTest;
import io.edgenpu.service.security.DeviceTokensIntegrationTest;
import io.edgenpu.service.stream.MalformedStreamMessagesIntegrationTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The inventory of distinct malformed or hostile requests the integration tests send, by transport
 * (each is asserted there to get the right status and leave the service healthy). Reused bodies are
 * not counted twice: the REST bodies replayed on the WebSocket stream and the gRPC cases replayed
 * on ModelStreamInfer are extra coverage, not extra cases.
 */
class HostileInputInventoryTest {
  @Test
  void atLeastOneHundredDistinctHostileRequestsAcrossRestGrpcAndStreams() {
    List<String> names = new ArrayList<>();
    MalformedRequestsIntegrationTest.cases().forEach(c -> names.add("REST: " + c.name()));
    MalformedGrpcRequestsIntegrationTest.cases().forEach(c -> names.add("gRPC: " + c.name()));
    MalformedStreamMessagesIntegrationTest.streamCases()
        .forEach(c -> names.add("WebSocket: " + c.name()));
    names.add("WebSocket: message over the size limit");
    DeviceTokensIntegrationTest.badAuthorizations().forEach(c -> names.add("token: " + c[0]));
    assertThat(names).doesNotHaveDuplicates();
    assertThat(names).hasSizeGreaterThanOrEqualTo(100);
  }
}
