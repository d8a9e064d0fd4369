package io.edgenpu.service.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.service.testing.ToyServerTestBase;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Malformed and hostile REST requests: each gets the right status and an OIP error body ({@code
 * {"error": "..."}}), never a 500; the server stays healthy and keeps answering valid requests.
 */
public class MalformedRequestsIntegrationTest extends ToyServerTestBase {
  private static final String INFER = "/v2/models/affine/infer";

  /** One malformed request and what the server must answer. */
  public record Case(
      String name,
      HttpMethod method,
      String path,
      String contentType,
      byte[] body,
      Map<String, String> headers,
      int status,
      String errorContains) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Case json(String name, String body, int status, String contains) {
    return new Case(
        name,
        HttpMethod.POST,
        INFER,
        MediaType.APPLICATION_JSON_VALUE,
        body.getBytes(StandardCharsets.UTF_8),
        Map.of(),
        status,
        contains);
  }

  private static Case at(String name, String path, String body, int status, String contains) {
    return new Case(
        name,
        HttpMethod.POST,
        path,
        MediaType.APPLICATION_JSON_VALUE,
        body.getBytes(StandardCharsets.UTF_8),
        Map.of(),
        status,
        contains);
  }

  private static String x(String shape, String datatype, String data) {
    return "{\"inputs\":[{\"name\":\"x\",\"shape\":"
        + shape
        + ",\"datatype\":\""
        + datatype
        + "\",\"data\":"
        + data
        + "}]}";
  }

  private static Case binary(
      String name, String header, byte[] tail, String declaredLength, int status, String contains) {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[json.length + tail.length];
    System.arraycopy(json, 0, body, 0, json.length);
    System.arraycopy(tail, 0, body, json.length, tail.length);
    String len = declaredLength != null ? declaredLength : Integer.toString(json.length);
    return new Case(
        name,
        HttpMethod.POST,
        INFER,
        MediaType.APPLICATION_OCTET_STREAM_VALUE,
        body,
        Map.of("Inference-Header-Content-Length", len),
        status,
        contains);
  }

  private static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  public static Stream<Case> cases() {
    String ok = "[1,2,3,4]";
    String bin =
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":16}}]}";
    String deep = "[".repeat(40) + "1" + "]".repeat(40);
    return Stream.of(
        json("malformed JSON", "{", 400, "malformed JSON"),
        json("empty body", "", 400, "empty"),
        json("array instead of object", "[]", 400, "object"),
        json("no inputs", "{}", 400, "inputs"),
        json("inputs not an array", "{\"inputs\":5}", 400, "inputs"),
        json("empty inputs", "{\"inputs\":[]}", 400, "inputs"),
        json(
            "input without name",
            "{\"inputs\":[{\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":" + ok + "}]}",
            400,
            "name"),
        json(
            "input name not a string",
            "{\"inputs\":[{\"name\":7,\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":" + ok + "}]}",
            400,
            "name"),
        json(
            "unknown input",
            "{\"inputs\":[{\"name\":\"z\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":"
                + ok
                + "}]}",
            400,
            "unexpected input"),
        json(
            "missing datatype",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"data\":" + ok + "}]}",
            400,
            "datatype"),
        json("unknown datatype", x("[1,4]", "FLOAT32", ok), 400, "unknown datatype"),
        json("wrong datatype", x("[1,4]", "INT32", ok), 400, "must be FP32"),
        json(
            "missing shape",
            "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"data\":" + ok + "}]}",
            400,
            "shape"),
        json("negative dimension", x("[-1,4]", "FP32", ok), 400, "non-negative"),
        json("huge dimensions", x("[1000000000,1000000000]", "FP32", ok), 400, "too many elements"),
        json("fractional dimension", x("[1.5,4]", "FP32", ok), 400, "integers"),
        json("rank 17", x("[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,4]", "FP32", ok), 400, "rank"),
        json("fewer data than shape", x("[1,4]", "FP32", "[1,2,3]"), 400, "data elements"),
        json("more data than shape", x("[1,4]", "FP32", "[1,2,3,4,5]"), 400, "data elements"),
        json("wrong rank", x("[4]", "FP32", ok), 400, "shape"),
        json("wrong sample dimension", x("[1,5]", "FP32", "[1,2,3,4,5]"), 400, "shape"),
        json("zero batch", x("[0,4]", "FP32", "[]"), 400, "batch size"),
        json(
            "batch above the limit",
            x("[65,4]", "FP32", "[" + "0,".repeat(259) + "0]"),
            400,
            "batch size"),
        json(
            "strings in FP32 data",
            x("[1,4]", "FP32", "[\"a\",\"b\",\"c\",\"d\"]"),
            400,
            "numbers"),
        json(
            "booleans in FP32 data", x("[1,4]", "FP32", "[true,false,true,false]"), 400, "numbers"),
        json(
            "missing data",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\"}]}",
            400,
            "data"),
        json("object as data element", x("[1,4]", "FP32", "[{},1,2,3]"), 400, "objects"),
        json("data nested too deeply", x("[1,4]", "FP32", deep), 400, ""),
        json(
            "number with 200 digits",
            x("[1,4]", "FP32", "[1" + "0".repeat(200) + ",2,3,4]"),
            400,
            "malformed JSON"),
        json(
            "duplicate input",
            "{\"inputs\":["
                + x("[1,4]", "FP32", ok).substring(11, x("[1,4]", "FP32", ok).length() - 2)
                + ","
                + x("[1,4]", "FP32", ok).substring(11, x("[1,4]", "FP32", ok).length() - 2)
                + "]}",
            400,
            "more than once"),
        json(
            "unknown requested output",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":"
                + ok
                + "}],\"outputs\":[{\"name\":\"nope\"}]}",
            400,
            "unknown output"),
        json(
            "requested output without name",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":"
                + ok
                + "}],\"outputs\":[{}]}",
            400,
            "name"),
        json("id not a string", "{\"id\":5," + x("[1,4]", "FP32", ok).substring(1), 400, "id"),
        json(
            "parameters not an object",
            "{\"parameters\":[1]," + x("[1,4]", "FP32", ok).substring(1),
            400,
            "parameters"),
        json(
            "nested parameter",
            "{\"parameters\":{\"a\":{\"b\":1}}," + x("[1,4]", "FP32", ok).substring(1),
            400,
            "parameter"),
        json(
            "negative priority",
            "{\"parameters\":{\"priority\":-1}," + x("[1,4]", "FP32", ok).substring(1),
            400,
            "priority"),
        json(
            "timeout as string",
            "{\"parameters\":{\"timeout\":\"soon\"}," + x("[1,4]", "FP32", ok).substring(1),
            400,
            "timeout"),
        json(
            "exit threshold on a plain model",
            "{\"parameters\":{\"exit_threshold\":0.5}," + x("[1,4]", "FP32", ok).substring(1),
            400,
            "early-exit"),
        json(
            "unknown top-level field",
            "{\"inputz\":[]," + x("[1,4]", "FP32", ok).substring(1),
            400,
            "unknown field"),
        json(
            "overlong client id",
            "{\"parameters\":{\"client_id\":\""
                + "d".repeat(300)
                + "\"},"
                + x("[1,4]", "FP32", ok).substring(1),
            400,
            "client_id"),
        at(
            "exit threshold out of range",
            "/v2/models/ee-toy/infer",
            "{\"parameters\":{\"exit_threshold\":1.5},\"inputs\":[{\"name\":\"x\",\"shape\":[1,64],\"datatype\":\"FP32\",\"data\":["
                + "0,".repeat(63)
                + "0]}]}",
            400,
            "exit_threshold"),
        at(
            "INT64 element out of range",
            "/v2/models/echo-int/infer",
            x("[1,3]", "INT64", "[1,2,99999999999999999999]"),
            400,
            "integers"),
        at(
            "float in INT64 data",
            "/v2/models/echo-int/infer",
            x("[1,3]", "INT64", "[1,2.5,3]"),
            400,
            "integers"),
        at("unknown model", "/v2/models/nope/infer", x("[1,4]", "FP32", ok), 404, "unknown model"),
        at(
            "unknown version",
            "/v2/models/affine/versions/9/infer",
            x("[1,4]", "FP32", ok),
            404,
            "version"),
        at(
            "non-numeric version",
            "/v2/models/affine/versions/latest/infer",
            x("[1,4]", "FP32", ok),
            404,
            "version"),
        binary("binary header length not a number", bin, floats(1, 2, 3, 4), "abc", 400, "integer"),
        binary(
            "binary header longer than the body", bin, floats(1, 2, 3, 4), "100000", 400, "bytes"),
        binary("binary data shorter than declared", bin, floats(1, 2, 3), null, 400, "remain"),
        binary(
            "binary bytes nobody claims", bin, floats(1, 2, 3, 4, 5), null, 400, "no input claims"),
        binary(
            "binary size does not fit the shape",
            bin.replace("\"binary_data_size\":16", "\"binary_data_size\":12"),
            floats(1, 2, 3),
            null,
            400,
            "expected 16 bytes"),
        binary(
            "binary size not an integer",
            bin.replace("16", "\"sixteen\""),
            floats(1, 2, 3, 4),
            null,
            400,
            "binary_data_size"),
        new Case(
            "raw binary request of the wrong length",
            HttpMethod.POST,
            INFER,
            MediaType.APPLICATION_OCTET_STREAM_VALUE,
            floats(1, 2, 3),
            Map.of("Inference-Header-Content-Length", "0"),
            400,
            "expected 16 bytes"),
        new Case(
            "unsupported content type",
            HttpMethod.POST,
            INFER,
            MediaType.TEXT_PLAIN_VALUE,
            x("[1,4]", "FP32", ok).getBytes(StandardCharsets.UTF_8),
            Map.of(),
            415,
            "Content-Type"),
        new Case(
            "body over the size limit",
            HttpMethod.POST,
            INFER,
            MediaType.APPLICATION_JSON_VALUE,
            new byte[2 * 1024 * 1024],
            Map.of(),
            413,
            "limit"),
        new Case("GET on infer", HttpMethod.GET, INFER, null, null, Map.of(), 405, "not allowed"),
        new Case(
            "DELETE on a model",
            HttpMethod.DELETE,
            "/v2/models/affine",
            null,
            null,
            Map.of(),
            405,
            "not allowed"),
        new Case(
            "unknown endpoint",
            HttpMethod.GET,
            "/v2/nothing/here",
            null,
            null,
            Map.of(),
            404,
            "no such endpoint"),
        at(
            "load with an unsupported parameter",
            "/v2/repository/models/affine/load",
            "{\"parameters\":{\"config\":\"{}\"}}",
            400,
            "unsupported parameter"),
        at("load with a path-traversal name", "/v2/repository/models/..%2Fetc/load", "", 400, ""),
        at("index body not an object", "/v2/repository/index", "[1]", 400, "object"),
        at(
            "index ready not a boolean",
            "/v2/repository/index",
            "{\"ready\":\"yes\"}",
            400,
            "boolean"),
        at(
            "unload of an unknown model",
            "/v2/repository/models/ghost/unload",
            "",
            404,
            "no model"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void malformedRequestGetsTheRightStatusAndAnErrorBody(Case c) {
    WebTestClient.RequestBodySpec spec = http.method(c.method()).uri(c.path());
    if (c.contentType() != null) {
      spec.contentType(MediaType.parseMediaType(c.contentType()));
    }
    c.headers().forEach(spec::header);
    WebTestClient.ResponseSpec response =
        c.body() != null ? spec.bodyValue(c.body()).exchange() : spec.exchange();
    String body =
        response
            .expectStatus()
            .isEqualTo(c.status())
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();
    assertThat(body).as(c.name()).startsWith("{\"error\":");
    assertThat(body.toLowerCase(Locale.ROOT))
        .as(c.name())
        .contains(c.errorContains().toLowerCase(Locale.ROOT));
  }

  @Test
  void atLeastThirtyDistinctCases() {
    assertThat(cases().map(Case::name).distinct().count()).isGreaterThanOrEqualTo(30);
  }

  @Test
  void serverIsStillHealthyAfterwards() {
    cases().forEach(this::malformedRequestGetsTheRightStatusAndAnErrorBody);
    http.get().uri("/v2/health/ready").exchange().expectStatus().isOk();
    http.post()
        .uri(INFER)
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(x("[1,4]", "FP32", "[0,0,0,1]"))
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$.outputs[0].data[3]")
        .isEqualTo(3.0);
  }
}
