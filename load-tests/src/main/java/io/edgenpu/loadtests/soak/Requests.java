package io.edgenpu.loadtests.soak;

import com.google.protobuf.ByteString;
import io.edgenpu.api.grpc.InferParameter;
import io.edgenpu.api.grpc.ModelInferRequest;
import io.grpc.Status;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak's request mix, the same over every transport: a held-out digit on {@code ee-digits}
 * (early-exit, emulated NPU, SLO 50 ms) and {@code digits-cnn} (plain, NPU, SLO 100 ms), Triton's
 * {@code simple} (no SLO), and a ListOps expression on {@code fabnet-listops} (butterfly
 * accelerator, SLO 200 ms). JSON for REST and the WebSocket stream, protobuf for gRPC.
 */
final class Requests {
  static final List<String> MODELS = List.of("ee-digits", "digits-cnn", "simple", "fabnet-listops");

  private final float[] digit;
  private final long[] tokens = new long[256];

  Requests(Path repositoryRoot) throws IOException {
    String example =
        Files.readString(repositoryRoot.resolve("docs/examples/ee-digits-request.json"));
    Matcher m =
        Pattern.compile("\"data\"\\s*:\\s*\\[([-0-9.eE,\\s\\[\\]]*)\\]\\s*\\}").matcher(example);
    if (!m.find()) {
      throw new IOException("no data in docs/examples/ee-digits-request.json");
    }
    String[] parts = m.group(1).replace("[", "").replace("]", "").split(",", -1);
    digit = new float[parts.length];
    for (int i = 0; i < parts.length; i++) {
      digit[i] = Float.parseFloat(parts[i].trim());
    }
    // [MAX 2 9 [MIN 4 7 ] 0 ] in the model's vocabulary
    // (models/repository/fabnet-listops/vocab.txt); closing brackets are dropped when the
    // vocabulary has none, as the service's tokenizer does.
    List<String> vocab =
        Files.readAllLines(repositoryRoot.resolve("models/repository/fabnet-listops/vocab.txt"));
    String[] expression = "[MAX 2 9 [MIN 4 7 ] 0 ]".split("\\s+", -1);
    int n = 0;
    for (String t : expression) {
      if (!t.isEmpty() && !(t.equals("]") && !vocab.contains("]"))) {
        int id = vocab.indexOf(t);
        if (id < 0) {
          throw new IOException("token '" + t + "' is not in the ListOps vocabulary");
        }
        tokens[n++] = id;
      }
    }
  }

  String pick(SplittableRandom rnd) {
    return MODELS.get(rnd.nextInt(MODELS.size()));
  }

  /** An OIP JSON request for the model, with an id and the sending device as {@code client_id}. */
  String json(String model, String id, String device) {
    StringBuilder b = new StringBuilder(8_192);
    b.append("{\"id\":\"")
        .append(id)
        .append("\",\"parameters\":{\"client_id\":\"")
        .append(device)
        .append("\"},\"inputs\":[");
    switch (model) {
      case "ee-digits", "digits-cnn" -> {
        b.append("{\"name\":\"image\",\"shape\":[1,1,32,32],\"datatype\":\"FP32\",\"data\":[");
        for (int i = 0; i < digit.length; i++) {
          b.append(i == 0 ? "" : ",").append(digit[i]);
        }
        b.append("]}");
      }
      case "simple" ->
          b.append(
                  "{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},")
              .append(
                  "{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}");
      case "fabnet-listops" -> {
        b.append("{\"name\":\"tokens\",\"shape\":[1,256],\"datatype\":\"INT64\",\"data\":[");
        for (int i = 0; i < tokens.length; i++) {
          b.append(i == 0 ? "" : ",").append(tokens[i]);
        }
        b.append("]}");
      }
      default -> throw new IllegalArgumentException(model);
    }
    return b.append("]}").toString();
  }

  /** The same request as OIP gRPC, tensors in {@code raw_input_contents}. */
  ModelInferRequest grpc(String model, String id, String device) {
    ModelInferRequest.Builder r =
        ModelInferRequest.newBuilder()
            .setModelName(model)
            .setId(id)
            .putParameters("client_id", InferParameter.newBuilder().setStringParam(device).build());
    switch (model) {
      case "ee-digits", "digits-cnn" -> {
        ByteBuffer b = ByteBuffer.allocate(digit.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : digit) {
          b.putFloat(v);
        }
        r.addInputs(input("image", "FP32", 1, 1, 32, 32))
            .addRawInputContents(ByteString.copyFrom(b.flip()));
      }
      case "simple" -> {
        ByteBuffer a = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer c = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 16; i++) {
          a.putInt(i);
          c.putInt(1);
        }
        r.addInputs(input("INPUT0", "INT32", 1, 16))
            .addRawInputContents(ByteString.copyFrom(a.flip()))
            .addInputs(input("INPUT1", "INT32", 1, 16))
            .addRawInputContents(ByteString.copyFrom(c.flip()));
      }
      case "fabnet-listops" -> {
        ByteBuffer b = ByteBuffer.allocate(256 * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long t : tokens) {
          b.putLong(t);
        }
        r.addInputs(input("tokens", "INT64", 1, 256))
            .addRawInputContents(ByteString.copyFrom(b.flip()));
      }
      default -> throw new IllegalArgumentException(model);
    }
    return r.build();
  }

  private static ModelInferRequest.InferInputTensor input(String name, String type, long... shape) {
    ModelInferRequest.InferInputTensor.Builder t =
        ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype(type);
    for (long d : shape) {
      t.addShape(d);
    }
    return t.build();
  }

  /** The HTTP status the REST API gives for the case a gRPC status code names. */
  static int httpStatusOf(Status.Code code) {
    return switch (code) {
      case OK -> 200;
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
      case UNAUTHENTICATED -> 401;
      case PERMISSION_DENIED -> 403;
      case NOT_FOUND -> 404;
      case RESOURCE_EXHAUSTED -> 429;
      case UNAVAILABLE -> 503;
      case DEADLINE_EXCEEDED -> 504;
      case INTERNAL -> 500;
      default -> 599; // UNKNOWN and others: never documented
    };
  }
}
