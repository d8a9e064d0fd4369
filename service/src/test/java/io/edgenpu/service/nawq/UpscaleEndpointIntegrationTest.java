package io.edgenpu.service.nawq;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.edgenpu.api.grpc.GRPCInferenceServiceGrpc;
import io.edgenpu.api.grpc.InferParameter;
import io.edgenpu.api.grpc.ModelInferRequest;
import io.edgenpu.api.grpc.ModelInferResponse;
import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.quant.HpqConfig;
import io.edgenpu.npu.quant.LumaImages;
import io.edgenpu.npu.quant.Psnr;
import io.edgenpu.npu.quant.SrGraph;
import io.edgenpu.npu.quant.SrGraph.Image;
import io.edgenpu.service.backend.NawqSrModel;
import io.edgenpu.service.repository.ModelRepository;
import io.edgenpu.service.testing.GrpcPort;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * NAWQ-SR served: the shipped {@code sr-x2-nawq} through the upscale endpoint (PNG in, PNG out) and
 * OIP {@code infer} with UINT8 tensors (REST JSON and gRPC raw bytes); several quality constraints,
 * each reply's configuration checked against the engine's choice and its PSNR measured on the
 * reference image against FP32; a latency budget enhancing tiles; the tiles, run as scheduler
 * samples, reproducing the engine's own untiled-equivalent result exactly; colour images; bad
 * images answered with the reason. (Same context as the ListOps tests.)
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.grpc.server.address=127.0.0.1:0",
      "server.address=127.0.0.1",
      "logging.level.root=WARN",
      "edgenpu.model-repository=../models/repository"
    })
@Import(GrpcPort.class)
class UpscaleEndpointIntegrationTest {
  private static final Path REPO = Path.of("..", "models", "repository");
  private static final Path EVAL = REPO.resolve("sr-x2").resolve("eval");
  private static byte[] lrPng;
  private static Image lr;
  private static Image hr;
  private static Image fp32;

  @LocalServerPort int port;

  @Autowired ModelRepository repository;

  @Autowired GrpcPort grpcPort;

  WebTestClient http;

  @BeforeAll
  static void images() throws Exception {
    BufferedImage crop =
        ImageIO.read(EVAL.resolve("astronaut-lr.png").toFile()).getSubimage(64, 64, 96, 96);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(crop, "png", out);
    lrPng = out.toByteArray();
    lr = LumaImages.decode(lrPng, 0);
    BufferedImage full =
        ImageIO.read(EVAL.resolve("astronaut-hr.png").toFile()).getSubimage(128, 128, 192, 192);
    ByteArrayOutputStream hrOut = new ByteArrayOutputStream();
    ImageIO.write(full, "png", hrOut);
    hr = LumaImages.decode(hrOut.toByteArray(), 0);
    fp32 =
        SrGraph.from(OnnxModel.read(REPO.resolve("sr-x2").resolve("1").resolve("model.onnx")))
            .runFloat(lr, null);
  }

  @BeforeEach
  void client() {
    http =
        WebTestClient.bindToServer()
            .baseUrl("http://127.0.0.1:" + port)
            .responseTimeout(Duration.ofSeconds(60))
            .build();
  }

  private EntityExchangeResult<byte[]> upscale(
      String model, String query, MediaType type, byte[] body, int status) {
    return http.post()
        .uri("/v2/models/" + model + "/upscale" + query)
        .contentType(type)
        .bodyValue(body)
        .exchange()
        .expectStatus()
        .isEqualTo(status)
        .expectBody(byte[].class)
        .returnResult();
  }

  private EntityExchangeResult<byte[]> upscale(
      String query, MediaType type, byte[] body, int status) {
    return upscale("sr-x2-nawq", query, type, body, status);
  }

  private SrEngine engine() {
    NawqSrModel model = (NawqSrModel) repository.resolve("sr-x2-nawq", "").instance();
    return ((SrRequests.Planner) model.planner()).engine();
  }

  private static Image grey(byte[] png) {
    return LumaImages.decode(png, 0);
  }

  @Test
  void eachQualityConstraintPicksTheFastestFittingConfigurationAndIsHonouredOnTheReference() {
    SrEngine engine = engine();
    assertThat(engine.configs()).hasSizeGreaterThan(1);
    List<Double> constraints = new ArrayList<>(List.of(0.0));
    engine.configs().forEach(c -> constraints.add(c.epsDb()));
    double previousUs = Double.MAX_VALUE;
    for (double c : constraints.stream().distinct().sorted().toList()) {
      EntityExchangeResult<byte[]> r =
          upscale("?max_drop_db=" + c, MediaType.IMAGE_PNG, lrPng, 200);
      HpqConfig expected = engine.choose(c);
      assertThat(r.getResponseHeaders().getContentType()).isEqualTo(MediaType.IMAGE_PNG);
      assertThat(r.getResponseHeaders().getFirst("X-Edgenpu-Config")).isEqualTo(expected.name());
      assertThat(r.getResponseHeaders().getFirst("X-Edgenpu-Bits"))
          .isEqualTo(String.join(",", expected.bits().stream().map(String::valueOf).toList()));
      assertThat(r.getResponseHeaders().getFirst("X-Edgenpu-Tiles")).isEqualTo("4");
      double us = Double.parseDouble(r.getResponseHeaders().getFirst("X-Edgenpu-Npu-Us"));
      assertThat(us).isLessThanOrEqualTo(previousUs); // a looser constraint is never slower
      previousUs = us;
      Image out = grey(r.getResponseBody());
      assertThat(out.width()).isEqualTo(192);
      assertThat(out.height()).isEqualTo(192);
      double drop = Psnr.of(fp32, hr, 2) - Psnr.of(out, hr, 2);
      System.out.printf(
          "upscale sr-x2-nawq max_drop_db=%.2f: %s, %.1f us, drop vs FP32 on the reference %.3f dB%n",
          c, expected.name(), us, drop);
      // The tolerance is a mean over the calibration set; one held-out crop may differ by a few
      // hundredths.
      assertThat(drop).isLessThanOrEqualTo(c + 0.05);
    }
  }

  @Test
  void aLatencyBudgetEnhancesTheHardestTilesAtAMeasuredCost() {
    double loose = engine().configs().stream().mapToDouble(HpqConfig::epsDb).max().orElseThrow();
    EntityExchangeResult<byte[]> plain =
        upscale("?max_drop_db=" + loose, MediaType.IMAGE_PNG, lrPng, 200);
    EntityExchangeResult<byte[]> rich =
        upscale("?max_drop_db=" + loose + "&budget_us=1000000", MediaType.IMAGE_PNG, lrPng, 200);
    assertThat(plain.getResponseHeaders().getFirst("X-Edgenpu-Enhanced-Tiles")).isEqualTo("0");
    assertThat(rich.getResponseHeaders().getFirst("X-Edgenpu-Enhanced-Tiles")).isEqualTo("4");
    assertThat(Double.parseDouble(rich.getResponseHeaders().getFirst("X-Edgenpu-Npu-Us")))
        .isGreaterThan(Double.parseDouble(plain.getResponseHeaders().getFirst("X-Edgenpu-Npu-Us")));
    assertThat(grey(rich.getResponseBody()).data())
        .isNotEqualTo(grey(plain.getResponseBody()).data());
  }

  @Test
  void oipInferTakesUint8ImagesAndTheScheduledTilesEqualTheEnginesOwnRun() {
    int[] pixels = new int[96 * 96];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = Math.round(lr.data()[i] * 255);
    }
    Map<String, Object> body =
        Map.of(
            "inputs",
            List.of(
                Map.of(
                    "name",
                    "image",
                    "datatype",
                    "UINT8",
                    "shape",
                    List.of(1, 1, 96, 96),
                    "data",
                    pixels)),
            "parameters",
            Map.of("max_drop_db", 0.1));
    @SuppressWarnings("unchecked")
    Map<String, Object> reply =
        http.post()
            .uri("/v2/models/sr-x2-nawq/infer")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(Map.class)
            .returnResult()
            .getResponseBody();
    @SuppressWarnings("unchecked")
    Map<String, Object> out = ((List<Map<String, Object>>) reply.get("outputs")).get(0);
    assertThat(out)
        .containsEntry("name", "image_sr")
        .containsEntry("datatype", "UINT8")
        .containsEntry("shape", List.of(1, 1, 192, 192));
    @SuppressWarnings("unchecked")
    Map<String, Object> params = (Map<String, Object>) reply.get("parameters");
    assertThat(params)
        .containsEntry("nawq_config", engine().choose(0.1).name())
        .containsEntry("tiles", 4);
    @SuppressWarnings("unchecked")
    List<Integer> served = (List<Integer>) out.get("data");
    Image direct = SrEngine.runHere(engine().plan(lr, 0.1, 0));
    for (int i = 0; i < served.size(); i++) {
      assertThat(served.get(i))
          .isEqualTo(Math.round(Math.max(0, Math.min(1, direct.data()[i])) * 255));
    }
    // Tiles are the device's samples: the model's statistics count images as inferences and device
    // batches as executions.
    @SuppressWarnings("unchecked")
    Map<String, Object> stats =
        http.get()
            .uri("/v2/models/sr-x2-nawq/stats")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(Map.class)
            .returnResult()
            .getResponseBody();
    assertThat(stats.toString()).contains("inference_count");
    String bad =
        new String(
            http.post()
                .uri("/v2/models/sr-x2-nawq/infer")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(
                    Map.of(
                        "inputs",
                        List.of(
                            Map.of(
                                "name",
                                "image",
                                "datatype",
                                "FP32",
                                "shape",
                                List.of(1, 1, 2, 2),
                                "data",
                                List.of(0.1, 0.2, 0.3, 0.4)))))
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody(byte[].class)
                .returnResult()
                .getResponseBody(),
            StandardCharsets.UTF_8);
    assertThat(bad).contains("UINT8");
    String badParameter =
        new String(
            http.post()
                .uri("/v2/models/sr-x2-nawq/infer")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(
                    Map.of(
                        "inputs",
                        List.of(
                            Map.of(
                                "name",
                                "image",
                                "datatype",
                                "UINT8",
                                "shape",
                                List.of(1, 1, 2, 2),
                                "data",
                                List.of(1, 2, 3, 4))),
                        "parameters",
                        Map.of("max_drop_db", "lots")))
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody(byte[].class)
                .returnResult()
                .getResponseBody(),
            StandardCharsets.UTF_8);
    assertThat(badParameter).contains("max_drop_db");
    String empty =
        new String(
            http.post()
                .uri("/v2/models/sr-x2-nawq/infer")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(
                    Map.of(
                        "inputs",
                        List.of(
                            Map.of(
                                "name",
                                "image",
                                "datatype",
                                "UINT8",
                                "shape",
                                List.of(1, 1, 0, 4),
                                "data",
                                List.of()))))
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody(byte[].class)
                .returnResult()
                .getResponseBody(),
            StandardCharsets.UTF_8);
    assertThat(empty).contains("error");
    String twoChannels =
        new String(
            http.post()
                .uri("/v2/models/sr-x2-nawq/infer")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(
                    Map.of(
                        "inputs",
                        List.of(
                            Map.of(
                                "name",
                                "image",
                                "datatype",
                                "UINT8",
                                "shape",
                                List.of(1, 2, 1, 1),
                                "data",
                                List.of(1, 2)))))
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody(byte[].class)
                .returnResult()
                .getResponseBody(),
            StandardCharsets.UTF_8);
    assertThat(twoChannels).contains("shape");
  }

  @Test
  void grpcInferTakesRawUint8Images() throws Exception {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort.port()).usePlaintext().build();
    try {
      byte[] pixels = new byte[40 * 40];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (byte) Math.round(lr.data()[(i / 40) * 96 + i % 40] * 255);
      }
      ModelInferResponse r =
          GRPCInferenceServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(30, TimeUnit.SECONDS)
              .modelInfer(
                  ModelInferRequest.newBuilder()
                      .setModelName("sr-x2-nawq")
                      .putParameters(
                          "max_drop_db", InferParameter.newBuilder().setDoubleParam(0.1).build())
                      .addInputs(
                          ModelInferRequest.InferInputTensor.newBuilder()
                              .setName("image")
                              .setDatatype("UINT8")
                              .addShape(1)
                              .addShape(1)
                              .addShape(40)
                              .addShape(40))
                      .addRawInputContents(ByteString.copyFrom(pixels))
                      .build());
      assertThat(r.getOutputs(0).getName()).isEqualTo("image_sr");
      assertThat(r.getOutputs(0).getDatatype()).isEqualTo("UINT8");
      assertThat(r.getOutputs(0).getShapeList()).containsExactly(1L, 1L, 80L, 80L);
      assertThat(r.getRawOutputContents(0).size()).isEqualTo(80 * 80);
      assertThat(r.getParametersMap().get("nawq_config").getStringParam())
          .isEqualTo(engine().choose(0.1).name());
      assertThat(r.getParametersMap().get("tiles").getInt64Param()).isEqualTo(1);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void colourImagesKeepTheirColour() throws Exception {
    BufferedImage colour = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 30; y++) {
      for (int x = 0; x < 40; x++) {
        int v = Math.round(lr.data()[y * 96 + x] * 255);
        colour.setRGB(x, y, (v << 16) | ((v * 3 / 4) << 8) | (v / 3));
      }
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(colour, "png", png);
    BufferedImage out =
        ImageIO.read(
            new ByteArrayInputStream(
                upscale("", MediaType.IMAGE_PNG, png.toByteArray(), 200).getResponseBody()));
    assertThat(out.getWidth()).isEqualTo(80);
    assertThat(out.getHeight()).isEqualTo(60);
    assertThat(out.getRaster().getNumBands()).isEqualTo(3);
    long[] sum = new long[3];
    for (int y = 0; y < 60; y++) {
      for (int x = 0; x < 80; x++) {
        int rgb = out.getRGB(x, y);
        sum[0] += (rgb >> 16) & 255;
        sum[1] += (rgb >> 8) & 255;
        sum[2] += rgb & 255;
      }
    }
    assertThat(sum[0]).isGreaterThan(sum[1]); // the tint survives: red > green > blue, as sent
    assertThat(sum[1]).isGreaterThan(sum[2]);
  }

  @Test
  void badImagesAreAnsweredWithTheReason() throws Exception {
    byte[] truncated = Arrays.copyOf(lrPng, 60);
    assertThat(
            new String(
                upscale("", MediaType.IMAGE_PNG, truncated, 400).getResponseBody(),
                StandardCharsets.UTF_8))
        .contains("error");
    assertThat(
            new String(
                upscale(
                        "",
                        MediaType.IMAGE_PNG,
                        "not an image".getBytes(StandardCharsets.UTF_8),
                        400)
                    .getResponseBody(),
                StandardCharsets.UTF_8))
        .contains("PNG or JPEG");
    assertThat(
            new String(
                upscale("", MediaType.IMAGE_PNG, new byte[0], 400).getResponseBody(),
                StandardCharsets.UTF_8))
        .contains("no image");
    assertThat(
            new String(
                upscale("", MediaType.TEXT_PLAIN, lrPng, 415).getResponseBody(),
                StandardCharsets.UTF_8))
        .contains("image/png");
    assertThat(
            new String(
                upscale("?max_drop_db=lots", MediaType.IMAGE_PNG, lrPng, 400).getResponseBody(),
                StandardCharsets.UTF_8))
        .contains("max_drop_db");
    BufferedImage big = new BufferedImage(600, 600, BufferedImage.TYPE_BYTE_GRAY);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(big, "png", out);
    assertThat(
            new String(
                upscale("", MediaType.IMAGE_PNG, out.toByteArray(), 413).getResponseBody(),
                StandardCharsets.UTF_8))
        .contains("600x600");
    assertThat(
            new String(
                upscale("sr-x2", "", MediaType.IMAGE_PNG, lrPng, 400).getResponseBody(),
                StandardCharsets.UTF_8))
        .contains("not a NAWQ-SR model");
  }
}
