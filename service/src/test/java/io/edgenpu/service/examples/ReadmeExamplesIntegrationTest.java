package io.edgenpu.service.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.api.grpc.ModelInferResponse;
import io.edgenpu.service.testing.GrpcPort;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the README's usage examples against the shipped default repository, exactly as written:
 * every {@code curl} line of the "Use it" section is replayed (method, headers, body file, URL with
 * the port replaced) and its output checked; the gRPC example is the code of {@link
 * GrpcInferExample}, which must appear verbatim in the README.
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
class ReadmeExamplesIntegrationTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern CURL = Pattern.compile("^curl .*$", Pattern.MULTILINE);

  @LocalServerPort int httpPort;

  @Autowired GrpcPort grpcPort;

  private static String readme() throws IOException {
    return Files.readString(ROOT.resolve("README.md"));
  }

  private static String section(String readme, String begin, String end) {
    int i = readme.indexOf(begin);
    int j = readme.indexOf(end, i);
    assertThat(i).as("README marker " + begin).isGreaterThanOrEqualTo(0);
    return readme.substring(i, j);
  }

  /** A curl command line reduced to what this test replays. */
  record Curl(String method, String url, Map<String, String> headers, String data) {}

  /**
   * The request a curl line sends, aimed at this test's server ({@code -d @file}: a file of the
   * repository; else inline).
   */
  private HttpRequest request(Curl c, Duration timeout) throws FileNotFoundException {
    String url = c.url().replace("localhost:8000", "127.0.0.1:" + httpPort);
    if (!url.contains("://")) {
      url = "http://" + url; // as curl assumes
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout);
    c.headers().forEach(b::header);
    b.method(
        c.method(),
        c.data() == null
            ? HttpRequest.BodyPublishers.noBody()
            : c.data().startsWith("@")
                ? HttpRequest.BodyPublishers.ofFile(ROOT.resolve(c.data().substring(1)))
                : HttpRequest.BodyPublishers.ofString(c.data()));
    return b.build();
  }

  static Curl parse(String line) {
    List<String> words = new ArrayList<>();
    Matcher m = Pattern.compile("'([^']*)'|\"([^\"]*)\"|(\\S+)").matcher(line);
    while (m.find()) {
      words.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
    }
    String method = "GET";
    String url = null;
    String data = null;
    Map<String, String> headers = new LinkedHashMap<>();
    for (int k = 1; k < words.size(); k++) {
      String w = words.get(k);
      switch (w) {
        case "-s", "-S", "-sS" -> {}
        case "-o", "-D" -> k++; // where curl writes the body or the headers: not replayed
        case "-X" -> method = words.get(++k);
        case "-H" -> {
          String[] h = words.get(++k).split(":", 2);
          headers.put(h[0].trim(), h[1].trim());
        }
        case "-d", "--data", "--data-binary" -> {
          data = words.get(++k);
          if (method.equals("GET")) {
            method = "POST";
          }
        }
        default -> url = w;
      }
    }
    return new Curl(method, url, headers, data);
  }

  @Test
  void curlExamplesWorkAsWritten() throws Exception {
    String examples = section(readme(), "<!-- rest-examples -->", "<!-- /rest-examples -->");
    Matcher m = CURL.matcher(examples);
    HttpClient client = HttpClient.newHttpClient();
    int n = 0;
    JsonNode inferResponse = null;
    while (m.find()) {
      Curl c = parse(m.group());
      if (c.data() != null) {
        assertThat(c.data()).startsWith("@");
      }
      HttpResponse<String> r =
          client.send(request(c, Duration.ofSeconds(10)), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(m.group()).isEqualTo(200);
      if (c.url().endsWith("/infer")) {
        inferResponse = JsonMapper.builder().build().readTree(r.body());
      }
      n++;
    }
    assertThat(n).as("curl examples in the README").isGreaterThanOrEqualTo(3);
    // The example image is a held-out "7" that the model classifies at its first exit.
    assertThat(inferResponse).isNotNull();
    assertThat(inferResponse.get("id").stringValue()).isEqualTo("doorbell-42");
    JsonNode probs = inferResponse.get("outputs").get(0).get("data");
    int best = 0;
    for (int i = 1; i < probs.size(); i++) {
      if (probs.get(i).doubleValue() > probs.get(best).doubleValue()) {
        best = i;
      }
    }
    assertThat(best).isEqualTo(7);
    assertThat(inferResponse.get("outputs").get(1).get("data").get(0).intValue()).isZero();
  }

  @Test
  void moreCurlExamplesWorkAsWritten() throws Exception {
    String examples =
        section(readme(), "<!-- more-rest-examples -->", "<!-- /more-rest-examples -->");
    Matcher m = CURL.matcher(examples);
    HttpClient client = HttpClient.newHttpClient();
    int n = 0;
    while (m.find()) {
      Curl c = parse(m.group());
      HttpResponse<byte[]> r =
          client.send(request(c, Duration.ofSeconds(60)), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).as(m.group()).isEqualTo(200);
      if (c.url().contains("/upscale")) {
        // As the README shows: the configuration in the headers, a colour PNG twice the size of
        // the 128x128 input, cut into four 64x64 tiles.
        assertThat(r.headers().firstValue("X-Edgenpu-Config")).hasValue("eps-0.30");
        assertThat(r.headers().firstValue("X-Edgenpu-Tiles")).hasValue("4");
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(r.body()));
        assertThat(png.getWidth()).isEqualTo(256);
        assertThat(png.getRaster().getNumBands()).isEqualTo(3);
      }
      if (c.url().contains("edsr-x2-nawq/infer")) {
        // As the README shows: a 2x2 UINT8 RGB image comes back 4x4 (three planes), with the
        // configuration in the parameters.
        JsonNode reply = JsonMapper.builder().build().readTree(r.body());
        assertThat(reply.get("outputs").get(0).get("datatype").asText()).isEqualTo("UINT8");
        assertThat(reply.get("outputs").get(0).get("data")).hasSize(48);
        assertThat(reply.get("parameters").get("nawq_config").asText()).isEqualTo("eps-0.30");
      }
      n++;
    }
    assertThat(n).isPositive();
  }

  @Test
  void grpcExampleIsInTheReadmeAndWorks() throws Exception {
    String source =
        Files.readString(
            ROOT.resolve(
                "service/src/test/java/io/edgenpu/service/examples/GrpcInferExample.java"));
    String snippet =
        section(source, "// README-EXAMPLE-START", "// README-EXAMPLE-END")
            .replace("// README-EXAMPLE-START", "")
            .strip();
    String readme = readme().replace("\r", "");
    for (String line : snippet.lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
      assertThat(readme).as("README contains the gRPC example line").contains(line);
    }
    ModelInferResponse response = GrpcInferExample.classify("127.0.0.1", grpcPort.port());
    assertThat(response.getId()).isEqualTo("doorbell-42");
    assertThat(response.getOutputs(0).getShapeList()).containsExactly(1L, 10L);
  }
}
