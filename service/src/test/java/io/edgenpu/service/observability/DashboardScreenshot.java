package io.edgenpu.service.observability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A tool, not a test: screenshots a running service's dashboard after it has shown live data for a
 * while (used for the README's picture; see docs/images/README.md). Arguments: URL, output PNG,
 * seconds to wait.
 */
public final class DashboardScreenshot {
  private DashboardScreenshot() {}

  public static void main(String[] args) throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1640",
        "--user-data-dir=" + Files.createTempDirectory("edgenpu-chromium"));
    ChromeDriver driver =
        new ChromeDriver(
            new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
                .usingAnyFreePort()
                .build(),
            options);
    try {
      driver.get(args[0]);
      Thread.sleep(
          Long.parseLong(args[2]) * 1000); // a tool waiting for live data to accumulate, not a test
      Files.copy(
          driver.getScreenshotAs(OutputType.FILE).toPath(),
          Path.of(args[1]),
          StandardCopyOption.REPLACE_EXISTING);
    } finally {
      driver.quit();
    }
  }
}
