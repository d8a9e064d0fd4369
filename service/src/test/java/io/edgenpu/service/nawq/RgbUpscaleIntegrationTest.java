package io.edgenpu.service.nawq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.quant.Psnr;
import io.edgenpu.npu.quant.RgbImages;
import io.edgenpu.npu.quant.SrGraph;
import io.edgenpu.npu.quant.SrGraph.Image;
import io.edgenpu.npu.quant.TileCodec;
import io.edgenpu.service.backend.NawqSrModel;
import io.edgenpu.service.repository.ModelRepository;
import io.edgenpu.service.testing.GrpcPort;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The RGB networks served: the converted ESRGAN-slim x2 as {@code esrgan-slim-x2} (FP32 on ONNX
 * Runtime, RGB 0..255) and {@code esrgan-slim-x2-nawq} (the emulated NPU's integer path): a colour
 * PNG through the upscale endpoint comes back in colour, equal to the engine's own run and close to
 * FP32 on the held-out reference; OIP infer takes UINT8 RGB planes and refuses the wrong number of
 * channels; the FP32 entry agrees with the emulator's float interpreter. (Same context as the other
 * serving tests.)
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
class RgbUpscaleIntegrationTest {
  private static final Path REPO = Path.of("..", "models", "repository");
  private static final Path EVAL = REPO.resolve("esrgan-slim-x2").resolve("eval");
  private static byte[] lrPng;
  private static Image lr;
  private static Image hr;
  private static SrGraph graph;

  @LocalServerPort int port;

  @Autowired ModelRepository repository;

  WebTestClient http;

  @BeforeAll
  static void images() throws Exception {
    BufferedImage crop =
        ImageIO.read(EVAL.resolve("chelsea-lr.png").toFile()).getSubimage(40, 40, 48, 48);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(crop, "png", out);
    lrPng = out.toByteArray();
    lr = RgbImages.decode(lrPng, 3);
    Image fullHr = RgbImages.read(EVAL.resolve("chelsea-hr.png"), 3);
    hr = TileCodec.crop(fullHr, new TileCodec.Tile(80, 80, 96, 96, 80, 80, 96, 96));
    graph =
        SrGraph.from(
            OnnxModel.read(REPO.resolve("esrgan-slim-x2").resolve("1").resolve("model.onnx")));
  }

  @BeforeEach
  void client() {
    http =
        WebTestClient.bindToServer()
            .baseUrl("http://127.0.0.1:" + port)
            .responseTimeout(Duration.ofSeconds(60))
            .build();
  }

  private SrEngine engine() {
    NawqSrModel model = (NawqSrModel) repository.resolve("esrgan-slim-x2-nawq", "").instance();
    return ((SrRequests.Planner) model.planner()).engine();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> infer(String model, Map<String, Object> body, int status) {
    return http.post()
        .uri("/v2/models/" + model + "/infer")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(body)
        .exchange()
        .expectStatus()
        .isEqualTo(status)
        .expectBody(Map.class)
        .returnResult()
        .getResponseBody();
  }

  private static Map<String, Object> tensor(
      String name, String type, List<Integer> shape, Object data) {
    return Map.of(
        "inputs", List.of(Map.of("name", name, "datatype", type, "shape", shape, "data", data)));
  }

  @Test
  void aColourPngComesBackInColourEqualToTheEnginesRunAndCloseToFp32() throws Exception {
    byte[] body =
        http.post()
            .uri("/v2/models/esrgan-slim-x2-nawq/upscale?budget_us=100000")
            .contentType(MediaType.IMAGE_PNG)
            .bodyValue(lrPng)
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(byte[].class)
            .returnResult()
            .getResponseBody();
    BufferedImage png = ImageIO.read(new ByteArrayInputStream(body));
    assertThat(png.getWidth()).isEqualTo(96);
    assertThat(png.getRaster().getNumBands()).isEqualTo(3);
    Image served = RgbImages.decode(body, 3);
    Image direct = SrEngine.runHere(engine().plan(lr, 0, 100_000));
    for (int i = 0; i < served.data().length; i++) {
      assertThat(Math.round(served.data()[i] * 255)).isEqualTo(RgbImages.byteOf(direct.data()[i]));
    }
    double fp32 = Psnr.of(graph.runFloat(lr, null), hr, 2);
    double npu = Psnr.of(served, hr, 2);
    System.out.printf(
        "esrgan-slim-x2-nawq on a chelsea crop: FP32 %.3f dB, served %.3f dB%n", fp32, npu);
    assertThat(fp32 - npu).isLessThan(0.2);
  }

  @Test
  void oipInferTakesUint8RgbPlanesAndRefusesTheWrongChannelCount() {
    List<Integer> pixels = new ArrayList<>();
    for (float v : lr.data()) {
      pixels.add(Math.round(v * 255));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> out =
        ((List<Map<String, Object>>)
                infer(
                        "esrgan-slim-x2-nawq",
                        tensor("image", "UINT8", List.of(1, 3, 48, 48), pixels),
                        200)
                    .get("outputs"))
            .get(0);
    assertThat(out).containsEntry("shape", List.of(1, 3, 96, 96));
    Map<String, Object> refused =
        infer(
            "esrgan-slim-x2-nawq",
            tensor("image", "UINT8", List.of(1, 1, 48, 48), pixels.subList(0, 48 * 48)),
            400);
    assertThat(String.valueOf(refused.get("error"))).contains("shape");
  }

  @Test
  void theFp32EntryOnOnnxRuntimeAgreesWithTheFloatInterpreter() {
    Image small = TileCodec.crop(lr, new TileCodec.Tile(0, 0, 24, 24, 0, 0, 24, 24));
    List<Float> values = new ArrayList<>();
    for (float v : small.data()) {
      values.add(v * 255);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> out =
        ((List<Map<String, Object>>)
                infer("esrgan-slim-x2", tensor("lr", "FP32", List.of(1, 3, 24, 24), values), 200)
                    .get("outputs"))
            .get(0);
    assertThat(out).containsEntry("shape", List.of(1, 3, 48, 48));
    @SuppressWarnings("unchecked")
    List<Number> served = (List<Number>) out.get("data");
    Image reference = graph.runFloat(small, null);
    for (int i = 0; i < served.size(); i++) {
      assertThat(served.get(i).doubleValue()).isCloseTo(reference.data()[i] * 255.0, within(0.01));
    }
  }
}
