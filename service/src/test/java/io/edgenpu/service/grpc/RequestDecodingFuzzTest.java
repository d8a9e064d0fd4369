package io.edgenpu.service.grpc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.edgenpu.api.grpc.ModelInferRequest;
import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.rest.InferJsonCodec;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing (Jazzer) of request decoding: the REST JSON body with a binary tail (any
 * split), the WebSocket stream message, and the gRPC ModelInferRequest. Any outcome other than a
 * decoded request or an {@link InferenceException} (the client's 4xx) is a finding: an unchecked
 * exception, an out-of-memory, a hang. {@code decoders} fuzzes for 10 s in every {@code verify};
 * {@code decodersLong} is the longer run of docs/fuzzing.md.
 */
class RequestDecodingFuzzTest {
  private static final long MAX_ELEMENTS = 1 << 20;
  private static final InferJsonCodec CODEC = new InferJsonCodec(MAX_ELEMENTS);

  @FuzzTest(maxDuration = "10s")
  void decoders(FuzzedDataProvider data) {
    decodeAll(data);
  }

  @Tag("long-fuzz")
  @FuzzTest(maxDuration = "10m")
  void decodersLong(FuzzedDataProvider data) {
    decodeAll(data);
  }

  private static void decodeAll(FuzzedDataProvider data) {
    int cut = data.consumeInt(0, Integer.MAX_VALUE);
    byte[] body = data.consumeRemainingAsBytes();
    int jsonLength = cut % (body.length + 1);
    clientErrorsOnly(() -> CODEC.decode("m", "", body, jsonLength, 0));
    clientErrorsOnly(() -> CODEC.decodeStreamMessage(body));
    ModelInferRequest grpc;
    try {
      grpc = ModelInferRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      return; // not a protobuf message: gRPC itself refuses it before our code runs
    }
    clientErrorsOnly(() -> GrpcCodec.decode(grpc, 0, MAX_ELEMENTS));
  }

  private static void clientErrorsOnly(Runnable decode) {
    try {
      decode.run();
    } catch (InferenceException expected) {
      // a 4xx for the client: the decoder's contract
    }
  }
}
