package io.edgenpu.service.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgenpu.service.testing.TestModels;
import io.edgenpu.service.testing.ToyServerTestBase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Opens the live dashboard in a real headless Chromium (Debian's chromium and chromedriver, driven
 * by Selenium) while load runs, and checks that every chart that has data under this load renders
 * with non-empty series and that the page logs no console errors; saves a screenshot to {@code
 * target/dashboard.png}. Skipped when Chromium is not installed, unless {@code
 * EDGENPU_REQUIRE_BROWSER=1} (which {@code .ci/run} sets after installing it), in which case a
 * missing browser fails the test.
 */
class DashboardBrowserTest extends ToyServerTestBase {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @Test
  void dashboardRendersLiveChartsWithoutConsoleErrors() throws Exception {
    boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if ("1".equals(System.getenv("EDGENPU_REQUIRE_BROWSER"))) {
      assertThat(installed)
          .as("Chromium and chromedriver under /usr/bin (EDGENPU_REQUIRE_BROWSER=1)")
          .isTrue();
    }
    assumeTrue(installed, "Chromium is not installed (apt-get install chromium chromium-driver)");

    http.post()
        .uri("/v2/models/ee-toy/infer")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(EE)
        .exchange()
        .expectStatus()
        .isOk();
    http.post()
        .uri("/v2/models/affine/infer")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(AFFINE)
        .exchange()
        .expectStatus()
        .isOk();
    Disposable load = load();
    ChromeDriver driver = browser();
    try {
      driver.get("http://127.0.0.1:" + httpPort + "/dashboard/");
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .conditionEvaluationListener(
              c -> {
                if (!c.isSatisfied() && c.getRemainingTimeInMS() < 300) {
                  System.err.println(
                      "dashboard state: "
                          + driver.executeScript("return JSON.stringify(window.__dashboard);")
                          + "\nconsole: "
                          + driver.manage().logs().get(LogType.BROWSER).getAll());
                }
              })
          .until(
              () -> {
                Object ready =
                    driver.executeScript(
                        "const d = window.__dashboard; return !!d && d.updates >= 8"
                            + " && ['p99','rps','batch','exits','util'].every(id => d.charts[id] && d.charts[id].points > 0);");
                return Boolean.TRUE.equals(ready);
              });
      @SuppressWarnings("unchecked")
      Map<String, Map<String, Object>> charts =
          (Map<String, Map<String, Object>>)
              driver.executeScript("return window.__dashboard.charts;");
      for (String id :
          List.of(
              "p99",
              "p50",
              "slo",
              "rps",
              "pending",
              "batch",
              "exits",
              "util",
              "queued",
              "stacking")) {
        assertThat(charts).as("chart " + id).containsKey(id);
        assertThat(((Number) charts.get(id).get("series")).intValue())
            .as("series of " + id)
            .isPositive();
        assertThat(((Number) charts.get(id).get("points")).intValue())
            .as("points of " + id)
            .isPositive();
        assertThat(charts.get(id).get("rendered")).as(id + " rendered").isEqualTo(true);
      }
      Number canvases =
          (Number)
              driver.executeScript("return document.querySelectorAll('.uplot canvas').length;");
      assertThat(canvases.intValue()).isGreaterThanOrEqualTo(10);
      List<LogEntry> errors =
          driver.manage().logs().get(LogType.BROWSER).getAll().stream()
              .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
              .toList();
      assertThat(errors).as("console errors").isEmpty();
      Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(shot, Path.of("target", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
    } finally {
      driver.quit();
      load.dispose();
    }
  }

  private ChromeDriver browser() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1500",
        "--user-data-dir=" + createTempDir());
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  private static String createTempDir() {
    try {
      return Files.createTempDirectory("edgenpu-chromium").toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Bounded background load: early-exit requests with deadlines (SLO) and plain ones, 25 per
   * second, 60 s at most.
   */
  private static final String EE = eeRequest();

  private static final String AFFINE =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}";

  private static String eeRequest() {
    StringBuilder d = new StringBuilder();
    for (int i = 0; i < TestModels.EE_WIDTH; i++) {
      d.append(i == 0 ? "" : ",").append(i % 7 == 0 ? 3 : 0);
    }
    return "{\"parameters\":{\"timeout\":2000000},\"inputs\":[{\"name\":\"x\",\"shape\":[1,"
        + TestModels.EE_WIDTH
        + "],\"datatype\":\"FP32\",\"data\":["
        + d
        + "]}]}";
  }

  private Disposable load() {
    WebClient client = WebClient.create("http://127.0.0.1:" + httpPort);
    String ee = EE;
    String affine = AFFINE;
    return Flux.interval(Duration.ofMillis(40))
        .take(1500)
        .flatMap(
            i ->
                client
                    .post()
                    .uri(i % 2 == 0 ? "/v2/models/ee-toy/infer" : "/v2/models/affine/infer")
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(i % 2 == 0 ? ee : affine)
                    .retrieve()
                    .toBodilessEntity()
                    .onErrorComplete(),
            8)
        .subscribe();
  }
}
