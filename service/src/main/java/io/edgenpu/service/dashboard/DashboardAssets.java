package io.edgenpu.service.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The dashboard's files, read from the classpath once at startup and served from memory (reading a
 * jar entry is blocking I/O, which must not happen on an event loop): the page, its script and
 * style, and uPlot from its WebJar (MIT licence, inside the WebJar).
 */
final class DashboardAssets {
  private record Asset(byte[] bytes, MediaType type) {}

  private final Map<String, Asset> assets = new LinkedHashMap<>();

  DashboardAssets(String uplotVersion) {
    add("index.html", "dashboard/index.html", MediaType.TEXT_HTML);
    add("dashboard.js", "dashboard/dashboard.js", MediaType.valueOf("text/javascript"));
    add("dashboard.css", "dashboard/dashboard.css", MediaType.valueOf("text/css"));
    String webjar = "META-INF/resources/webjars/uplot/" + uplotVersion + "/";
    add(
        "vendor/uPlot.iife.min.js",
        webjar + "dist/uPlot.iife.min.js",
        MediaType.valueOf("text/javascript"));
    add("vendor/uPlot.min.css", webjar + "dist/uPlot.min.css", MediaType.valueOf("text/css"));
    add("vendor/uPlot-LICENSE.txt", webjar + "LICENSE", MediaType.TEXT_PLAIN);
  }

  private void add(String path, String resource, MediaType type) {
    try (InputStream in = DashboardAssets.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "dashboard resource " + resource + " is missing from the classpath");
      }
      assets.put(path, new Asset(in.readAllBytes(), type));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code GET /dashboard/{*file}}: the asset, or an OIP-style 404. */
  Mono<ServerResponse> serve(ServerRequest req) {
    String path = req.path().substring("/dashboard/".length());
    Asset a = assets.get(path.isEmpty() ? "index.html" : path);
    if (a == null) {
      return ServerResponse.status(404)
          .contentType(MediaType.APPLICATION_JSON)
          .bodyValue("{\"error\":\"no dashboard file '" + path.replace("\"", "") + "'\"}");
    }
    return ServerResponse.ok()
        .contentType(a.type())
        .cacheControl(CacheControl.noCache())
        .bodyValue(a.bytes());
  }
}
