package io.edgenpu.loadtests;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The baseline of the gateway-overhead benchmark: a bare Reactor Netty HTTP endpoint on the same
 * stack as the service (Reactor Netty 1.3, Netty 4.2) that reads the whole request body and answers
 * a constant response of the size the real server sends, per model. Usage: {@code BareEndpoint
 * <port> <model>=<response-file>...}. Binds to loopback only.
 */
public final class BareEndpoint {
  private BareEndpoint() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Map<String, byte[]> responses = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      responses.put(kv[0], Files.readAllBytes(Path.of(kv[1])));
    }
    DisposableServer server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(port)
            .route(
                r ->
                    r.post(
                        "/v2/models/{model}/infer",
                        (req, res) -> {
                          byte[] response =
                              responses.getOrDefault(
                                  req.param("model"), "{}".getBytes(StandardCharsets.UTF_8));
                          return req.receive()
                              .aggregate()
                              .asByteArray()
                              .flatMap(
                                  body ->
                                      res.header("Content-Type", "application/json")
                                          .sendByteArray(Mono.just(response))
                                          .then());
                        }))
            .bindNow();
    System.out.println(
        "bare endpoint on 127.0.0.1:" + server.port() + " for " + responses.keySet());
    Runtime.getRuntime().addShutdownHook(new Thread(server::disposeNow));
    server.onDispose().block();
  }
}
