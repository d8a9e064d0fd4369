package io.edgenpu.service.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.service.testing.TestModels;
import io.edgenpu.service.testing.ToyServerTestBase;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every REST endpoint of the Open Inference Protocol and of Triton's extensions, over a real
 * socket.
 */
class OipRestIntegrationTest extends ToyServerTestBase {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static String affineRequest(String id, float... x) {
    StringBuilder data = new StringBuilder();
    for (float v : x) {
      data.append(data.length() == 0 ? "" : ",").append(v);
    }
    return "{\"id\":\""
        + id
        + "\",\"inputs\":[{\"name\":\"x\",\"shape\":["
        + (x.length / 4)
        + ",4],"
        + "\"datatype\":\"FP32\",\"data\":["
        + data
        + "]}]}";
  }

  @Test
  void serverMetadataListsTheExtensions() {
    http.get()
        .uri("/v2")
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$.name")
        .isEqualTo("edge-npu-serving")
        .jsonPath("$.version")
        .isNotEmpty()
        .jsonPath("$.extensions[?(@ == 'binary_tensor_data')]")
        .exists()
        .jsonPath("$.extensions[?(@ == 'statistics')]")
        .exists();
  }

  @Test
  void healthAnswersByStatusCodeAndBody() {
    http.get()
        .uri("/v2/health/live")
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$.live")
        .isEqualTo(true);
    http.get()
        .uri("/v2/health/ready")
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$.ready")
        .isEqualTo(true);
  }

  @Test
  void modelMetadataHasBatchedShapes() {
    http.get()
        .uri("/v2/models/affine")
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$.name")
        .isEqualTo("affine")
        .jsonPath("$.versions[0]")
        .isEqualTo("1")
        .jsonPath("$.platform")
        .isEqualTo("onnxruntime_onnx")
        .jsonPath("$.inputs[0].name")
        .isEqualTo("x")
        .jsonPath("$.inputs[0].datatype")
        .isEqualTo("FP32")
        .jsonPath("$.inputs[0].shape[0]")
        .isEqualTo(-1)
        .jsonPath("$.inputs[0].shape[1]")
        .isEqualTo(4)
        .jsonPath("$.outputs[0].name")
        .isEqualTo("y");
    http.get()
        .uri("/v2/models/affine/versions/1")
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$.name")
        .isEqualTo("affine");
    http.get()
        .uri("/v2/models/affine/versions/7")
        .exchange()
        .expectStatus()
        .isNotFound()
        .expectBody()
        .jsonPath("$.error")
        .isNotEmpty();
    http.get()
        .uri("/v2/models/ee-toy")
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$.platform")
        .isEqualTo("edgenpu_early_exit")
        .jsonPath("$.outputs[1].name")
        .isEqualTo("exit_index");
  }

  @Test
  void modelReadinessByStatusCode() {
    http.get()
        .uri("/v2/models/affine/ready")
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$.ready")
        .isEqualTo(true)
        .jsonPath("$.name")
        .isEqualTo("affine");
    http.get().uri("/v2/models/affine/versions/1/ready").exchange().expectStatus().isOk();
    http.get()
        .uri("/v2/models/nope/ready")
        .exchange()
        .expectStatus()
        .isNotFound()
        .expectBody()
        .jsonPath("$.error")
        .isNotEmpty();
  }

  @Test
  void inferEchoesIdAndComputesEachRow() {
    http.post()
        .uri("/v2/models/affine/infer")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(affineRequest("req-1", 1, 2, 3, 4, -1, 0, 0.5f, 10))
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$.model_name")
        .isEqualTo("affine")
        .jsonPath("$.model_version")
        .isEqualTo("1")
        .jsonPath("$.id")
        .isEqualTo("req-1")
        .jsonPath("$.outputs[0].name")
        .isEqualTo("y")
        .jsonPath("$.outputs[0].datatype")
        .isEqualTo("FP32")
        .jsonPath("$.outputs[0].shape[0]")
        .isEqualTo(2)
        .jsonPath("$.outputs[0].data[0]")
        .isEqualTo(3.0)
        .jsonPath("$.outputs[0].data[3]")
        .isEqualTo(9.0)
        .jsonPath("$.outputs[0].data[4]")
        .isEqualTo(-1.0)
        .jsonPath("$.outputs[0].data[7]")
        .isEqualTo(21.0);
  }

  @Test
  void inferAcceptsNestedDataAVersionAndParameters() {
    String body =
        "{\"parameters\":{\"client_id\":\"doorbell-1\",\"priority\":1,\"my_tag\":\"kept\"},"
            + "\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[[1,1,1,1]]}],"
            + "\"outputs\":[{\"name\":\"y\"}]}";
    http.post()
        .uri("/v2/models/affine/versions/1/infer")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(body)
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$.outputs.length()")
        .isEqualTo(1)
        .jsonPath("$.outputs[0].data[2]")
        .isEqualTo(3.0);
  }

  @Test
  void inferHonoursRequestedOutputsOfAnEarlyExitModel() {
    float[] easy = new float[TestModels.EE_WIDTH];
    easy[3] = 20;
    StringBuilder d = new StringBuilder();
    for (float v : easy) {
      d.append(d.length() == 0 ? "" : ",").append(v);
    }
    String body =
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,"
            + TestModels.EE_WIDTH
            + "],\"datatype\":\"FP32\",\"data\":["
            + d
            + "]}],\"outputs\":[{\"name\":\"exit_index\"}]}";
    http.post()
        .uri("/v2/models/ee-toy/infer")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(body)
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$.outputs.length()")
        .isEqualTo(1)
        .jsonPath("$.outputs[0].name")
        .isEqualTo("exit_index")
        .jsonPath("$.outputs[0].datatype")
        .isEqualTo("INT32")
        .jsonPath("$.outputs[0].data[0]")
        .isEqualTo(0);
  }

  @Test
  void inferOnInt64ModelOnTheCpuDevice() {
    String body =
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[2,3],\"datatype\":\"INT64\",\"data\":[1,-2,3,9007199254740993,0,-7]}]}";
    http.post()
        .uri("/v2/models/echo-int/infer")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(body)
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$.outputs[0].datatype")
        .isEqualTo("INT64")
        .jsonPath("$.outputs[0].data[3]")
        .isEqualTo(9007199254740993L)
        .jsonPath("$.outputs[0].data[5]")
        .isEqualTo(-7);
  }

  @Test
  void binaryTensorExtensionInAndOut() {
    String header =
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":16}}],"
            + "\"outputs\":[{\"name\":\"y\",\"parameters\":{\"binary_data\":true}}]}";
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer body = ByteBuffer.allocate(json.length + 16).order(ByteOrder.LITTLE_ENDIAN);
    body.put(json).putFloat(1).putFloat(2).putFloat(3).putFloat(4);
    byte[] response =
        http.post()
            .uri("/v2/models/affine/infer")
            .contentType(MediaType.APPLICATION_OCTET_STREAM)
            .header("Inference-Header-Content-Length", Integer.toString(json.length))
            .bodyValue(body.array())
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .exists("Inference-Header-Content-Length")
            .expectBody(byte[].class)
            .returnResult()
            .getResponseBody();
    String jsonPart = new String(response, 0, response.length - 16, StandardCharsets.UTF_8);
    assertThat(jsonPart).contains("\"binary_data_size\":16");
    ByteBuffer out =
        ByteBuffer.wrap(response, response.length - 16, 16).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(new float[] {out.getFloat(), out.getFloat(), out.getFloat(), out.getFloat()})
        .containsExactly(3, 5, 7, 9);
  }

  @Test
  void rawBinaryRequestWithZeroHeaderLength() {
    ByteBuffer body =
        ByteBuffer.allocate(16)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putFloat(0)
            .putFloat(1)
            .putFloat(2)
            .putFloat(3);
    byte[] response =
        http.post()
            .uri("/v2/models/affine/infer")
            .contentType(MediaType.APPLICATION_OCTET_STREAM)
            .header("Inference-Header-Content-Length", "0")
            .bodyValue(body.array())
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(byte[].class)
            .returnResult()
            .getResponseBody();
    ByteBuffer out =
        ByteBuffer.wrap(response, response.length - 16, 16).slice().order(ByteOrder.LITTLE_ENDIAN);
    assertThat(out.getFloat(0)).isEqualTo(1f);
    assertThat(out.getFloat(12)).isEqualTo(7f);
  }

  @Test
  void concurrentRequestsFormBatchesAndEachGetsItsOwnRows() {
    WebClient client = WebClient.create("http://127.0.0.1:" + httpPort);
    List<Mono<JsonNode>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      float base = i * 10;
      calls.add(
          client
              .post()
              .uri("/v2/models/affine-batched/infer")
              .contentType(MediaType.APPLICATION_JSON)
              .bodyValue(affineRequest("c" + i, base, base + 1, base + 2, base + 3))
              .retrieve()
              .bodyToMono(byte[].class)
              .publishOn(Schedulers.boundedElastic())
              .map(JSON::readTree));
    }
    List<JsonNode> results = Flux.merge(calls).collectList().block(Duration.ofSeconds(30));
    assertThat(results).hasSize(8);
    for (JsonNode r : results) {
      int i = Integer.parseInt(r.get("id").stringValue().substring(1));
      JsonNode data = r.get("outputs").get(0).get("data");
      assertThat(data.get(0).doubleValue()).isEqualTo(2 * (i * 10) + 1);
      assertThat(data.get(3).doubleValue()).isEqualTo(2 * (i * 10 + 3) + 1);
    }
    // 8 requests into a model that waits up to 2 s for a batch of 4: batches of 4 must have formed.
    JsonNode stats =
        JSON.readTree(
            http.get()
                .uri("/v2/models/affine-batched/stats")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(byte[].class)
                .returnResult()
                .getResponseBody());
    JsonNode model = stats.get("model_stats").get(0);
    assertThat(model.get("inference_count").longValue()).isEqualTo(8);
    assertThat(model.get("execution_count").longValue()).isLessThan(8);
    boolean batchOfFour = false;
    for (JsonNode b : model.get("batch_stats")) {
      batchOfFour |= b.get("batch_size").intValue() == 4;
    }
    assertThat(batchOfFour).as("a batch of size 4 in %s", model.get("batch_stats")).isTrue();
  }

  @Test
  void earlyExitedSamplesAreAnsweredBeforeTheRest() {
    WebClient client = WebClient.create("http://127.0.0.1:" + httpPort);
    float[] hard = new float[TestModels.EE_WIDTH];
    float[] easy = new float[TestModels.EE_WIDTH];
    easy[0] = 20;
    List<JsonNode> results =
        Flux.merge(eeCall(client, "hard", hard), eeCall(client, "easy", easy))
            .collectList()
            .block(Duration.ofSeconds(30));
    assertThat(results).hasSize(2);
    Map<String, Double> latencyMicros = new HashMap<>();
    for (JsonNode r : results) {
      String id = r.get("id").stringValue();
      int exit = r.get("outputs").get(1).get("data").get(0).intValue();
      assertThat(exit).isEqualTo(id.equals("easy") ? 0 : 3);
      JsonNode events = JSON.readTree(r.get("parameters").get("timeline").asString());
      latencyMicros.put(id, events.get(events.size() - 1).get("t_us").doubleValue());
    }
    // Measured on the server from each request's own arrival, so independent of when the client's
    // two
    // requests reached it: the easy sample leaves after one stage (catching up at the next boundary
    // if the
    // hard one is already running), the hard one runs all four (each tens of milliseconds here).
    assertThat(latencyMicros.get("easy"))
        .as("%s", latencyMicros)
        .isLessThan(latencyMicros.get("hard"));
  }

  private static Mono<JsonNode> eeCall(WebClient client, String id, float[] x) {
    StringBuilder d = new StringBuilder();
    for (float v : x) {
      d.append(d.length() == 0 ? "" : ",").append(v);
    }
    String body =
        "{\"id\":\""
            + id
            + "\",\"parameters\":{\"timeline\":true},\"inputs\":[{\"name\":\"x\",\"shape\":[1,"
            + x.length
            + "],\"datatype\":\"FP32\",\"data\":["
            + d
            + "]}]}";
    return client
        .post()
        .uri("/v2/models/ee-toy-refill/infer")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(body)
        .retrieve()
        .bodyToMono(byte[].class)
        .publishOn(Schedulers.boundedElastic())
        .map(JSON::readTree);
  }

  @Test
  void statisticsExtension() {
    http.post()
        .uri("/v2/models/affine/infer")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(affineRequest("s", 1, 1, 1, 1))
        .exchange()
        .expectStatus()
        .isOk();
    http.get()
        .uri("/v2/models/affine/stats")
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$.model_stats[0].name")
        .isEqualTo("affine")
        .jsonPath("$.model_stats[0].version")
        .isEqualTo("1")
        .jsonPath("$.model_stats[0].inference_stats.success.count")
        .value(c -> assertThat(((Number) c).longValue()).isPositive())
        .jsonPath("$.model_stats[0].inference_stats.queue.ns")
        .exists()
        .jsonPath("$.model_stats[0].batch_stats[0].batch_size")
        .exists();
    http.get()
        .uri("/v2/models/affine/versions/1/stats")
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$.model_stats.length()")
        .isEqualTo(1);
    http.get()
        .uri("/v2/models/stats")
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$.model_stats[?(@.name == 'affine')]")
        .exists();
    http.get().uri("/v2/models/nope/stats").exchange().expectStatus().isNotFound();
  }

  @Test
  void modelConfigurationExtension() {
    http.get()
        .uri("/v2/models/ee-toy/config")
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$.kind")
        .isEqualTo("early-exit")
        .jsonPath("$.stages")
        .isEqualTo(4)
        .jsonPath("$.scheduling_policy")
        .isEqualTo("fluid");
  }

  @Test
  void repositoryIndexLoadAndUnload() {
    http.post()
        .uri("/v2/repository/index")
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$[?(@.name == 'affine' && @.state == 'READY')]")
        .exists();
    http.post().uri("/v2/repository/models/echo-int/unload").exchange().expectStatus().isOk();
    http.get()
        .uri("/v2/models/echo-int/ready")
        .exchange()
        .expectStatus()
        .isEqualTo(503)
        .expectBody()
        .jsonPath("$.ready")
        .isEqualTo(false);
    http.post()
        .uri("/v2/models/echo-int/infer")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"INT64\",\"data\":[1,2,3]}]}")
        .exchange()
        .expectStatus()
        .isEqualTo(503)
        .expectHeader()
        .exists("Retry-After")
        .expectBody()
        .jsonPath("$.error")
        .isNotEmpty();
    http.post()
        .uri("/v2/repository/index")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"ready\":false}")
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$[?(@.name == 'echo-int' && @.state == 'UNAVAILABLE')]")
        .exists();
    http.post().uri("/v2/repository/models/echo-int/load").exchange().expectStatus().isOk();
    http.get().uri("/v2/models/echo-int/ready").exchange().expectStatus().isOk();
    http.post()
        .uri("/v2/repository/models/no-such-model/load")
        .exchange()
        .expectStatus()
        .isNotFound()
        .expectBody()
        .jsonPath("$.error")
        .isNotEmpty();
    http.post()
        .uri("/v2/repository/index")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(Map.of("ready", true))
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$[?(@.state != 'READY')]")
        .doesNotExist();
  }
}
