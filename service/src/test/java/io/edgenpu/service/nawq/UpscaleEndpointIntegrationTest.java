package io.edgenpu.service.nawq;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.npu.quant.Psnr;
import io.edgenpu.npu.quant.SrGraph.Image;
import io.edgenpu.service.testing.GrpcPort;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The SR endpoint on the shipped x2 model: a PNG in, an upscaled PNG out, the quality constraint choosing the
 * configuration (reported in headers, checked against the PSNR measured on the reference image), a latency
 * budget enhancing tiles, and bad images answered with the reason. (Same context as the ListOps tests.)
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.grpc.server.address=127.0.0.1:0", "server.address=127.0.0.1", "logging.level.root=WARN",
        "edgenpu.model-repository=../models/repository"})
@Import(GrpcPort.class)
class UpscaleEndpointIntegrationTest {
  private static final Path EVAL = Path.of("..", "models", "repository", "sr-x2", "eval");
  private static byte[] lrPng;
  private static Image hr;

  @LocalServerPort
  int port;

  WebTestClient http;

  @BeforeAll
  static void images() throws Exception {
    BufferedImage lr = ImageIO.read(EVAL.resolve("astronaut-lr.png").toFile()).getSubimage(64, 64, 96, 96);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(lr, "png", out);
    lrPng = out.toByteArray();
    BufferedImage full = ImageIO.read(EVAL.resolve("astronaut-hr.png").toFile()).getSubimage(128, 128, 192, 192);
    ByteArrayOutputStream hrOut = new ByteArrayOutputStream();
    ImageIO.write(full, "png", hrOut);
    hr = Images.luma(hrOut.toByteArray(), 0);
  }

  @BeforeEach
  void client() {
    http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(60)).build();
  }

  private EntityExchangeResult<byte[]> upscale(String query, MediaType type, byte[] body, int status) {
    return http.post().uri("/v2/models/sr-x2/upscale" + query).contentType(type).bodyValue(body).exchange()
        .expectStatus().isEqualTo(status).expectBody(byte[].class).returnResult();
  }

  @Test
  void theQualityConstraintPicksTheConfigurationAndIsHonoured() {
    EntityExchangeResult<byte[]> best = upscale("", MediaType.IMAGE_PNG, lrPng, 200);
    EntityExchangeResult<byte[]> fast = upscale("?max_drop_db=2.3", MediaType.IMAGE_PNG, lrPng, 200);
    assertThat(best.getResponseHeaders().getContentType()).isEqualTo(MediaType.IMAGE_PNG);
    assertThat(best.getResponseHeaders().getFirst("X-Edgenpu-Config")).isEqualTo("all-A16W8");
    assertThat(best.getResponseHeaders().getFirst("X-Edgenpu-Bits")).isEqualTo("16,16,16,16,16,16");
    assertThat(fast.getResponseHeaders().getFirst("X-Edgenpu-Config")).isEqualTo("eps-2.30");
    assertThat(fast.getResponseHeaders().getFirst("X-Edgenpu-Bits")).isEqualTo("8,8,8,8,8,16");
    assertThat(best.getResponseHeaders().getFirst("X-Edgenpu-Tiles")).isEqualTo("9");
    double bestUs = Double.parseDouble(best.getResponseHeaders().getFirst("X-Edgenpu-Npu-Us"));
    double fastUs = Double.parseDouble(fast.getResponseHeaders().getFirst("X-Edgenpu-Npu-Us"));
    assertThat(fastUs).isLessThan(bestUs);
    Image bestOut = Images.luma(best.getResponseBody(), 0);
    Image fastOut = Images.luma(fast.getResponseBody(), 0);
    assertThat(bestOut.width()).isEqualTo(192);
    assertThat(bestOut.height()).isEqualTo(192);
    double pBest = Psnr.luma(bestOut, hr, 2);
    double pFast = Psnr.luma(fastOut, hr, 2);
    System.out.printf("upscale endpoint (astronaut 96x96 crop): all-A16W8 %.3f dB %.1f us; eps-2.30 %.3f dB %.1f us%n",
        pBest, bestUs, pFast, fastUs);
    assertThat(pBest).isGreaterThan(28);
    assertThat(pBest - pFast).isLessThanOrEqualTo(2.3);   // the constraint, measured on the reference image
  }

  @Test
  void aLatencyBudgetEnhancesTheHardestTiles() {
    EntityExchangeResult<byte[]> plain = upscale("?max_drop_db=2.3", MediaType.IMAGE_PNG, lrPng, 200);
    EntityExchangeResult<byte[]> rich = upscale("?max_drop_db=2.3&budget_us=1000000", MediaType.IMAGE_PNG, lrPng, 200);
    assertThat(plain.getResponseHeaders().getFirst("X-Edgenpu-Enhanced-Tiles")).isEqualTo("0");
    assertThat(rich.getResponseHeaders().getFirst("X-Edgenpu-Enhanced-Tiles")).isEqualTo("9");
    double pPlain = Psnr.luma(Images.luma(plain.getResponseBody(), 0), hr, 2);
    double pRich = Psnr.luma(Images.luma(rich.getResponseBody(), 0), hr, 2);
    assertThat(pRich).isGreaterThan(pPlain);
  }

  @Test
  void badImagesAreAnsweredWithTheReason() throws Exception {
    byte[] truncated = java.util.Arrays.copyOf(lrPng, 60);
    assertThat(new String(upscale("", MediaType.IMAGE_PNG, truncated, 400).getResponseBody())).contains("error");
    assertThat(new String(upscale("", MediaType.IMAGE_PNG, "not an image".getBytes(), 400).getResponseBody())).contains("PNG or JPEG");
    assertThat(new String(upscale("", MediaType.IMAGE_PNG, new byte[0], 400).getResponseBody())).contains("no image");
    assertThat(new String(upscale("", MediaType.TEXT_PLAIN, lrPng, 415).getResponseBody())).contains("image/png");
    assertThat(new String(upscale("?max_drop_db=lots", MediaType.IMAGE_PNG, lrPng, 400).getResponseBody())).contains("max_drop_db");
    BufferedImage big = new BufferedImage(600, 600, BufferedImage.TYPE_BYTE_GRAY);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(big, "png", out);
    assertThat(new String(upscale("", MediaType.IMAGE_PNG, out.toByteArray(), 413).getResponseBody())).contains("600x600");
    String notSr = new String(http.post().uri("/v2/models/ee-digits/upscale").contentType(MediaType.IMAGE_PNG).bodyValue(lrPng)
        .exchange().expectStatus().isEqualTo(400).expectBody(byte[].class).returnResult().getResponseBody());
    assertThat(notSr).contains("not a super-resolution model");
  }
}
