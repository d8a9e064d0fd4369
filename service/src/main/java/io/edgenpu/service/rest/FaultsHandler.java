package io.edgenpu.service.rest;

import io.edgenpu.service.device.FaultInjector;
import io.edgenpu.service.device.FaultInjectors;
import io.edgenpu.service.inference.InferenceException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v2/admin/faults}: fault drills on a running server (only routed when {@code
 * edgenpu.resilience.fault-injection=true}; an admin token when security is on). Body: {@code
 * {"device": "npu", "mode": "none|fail|hang|slow", "delay_ms": 50}} sets one device's backend
 * fault; {@code {"listener": true|false}} makes a scheduler listener throw on every event; {@code
 * {"clear": true}} heals everything. Answers {@code {}}.
 */
final class FaultsHandler {
  private static final Set<String> FIELDS =
      Set.of("device", "mode", "delay_ms", "listener", "clear");
  private final FaultInjectors faults;
  private final Set<String> devices;
  private final JsonMapper json = JsonMapper.builder().build();
  private final RestResponses responses = new RestResponses(json);

  FaultsHandler(FaultInjectors faults, Set<String> devices) {
    this.faults = faults;
    this.devices = devices;
  }

  Mono<ServerResponse> set(ServerRequest req) {
    return req.bodyToMono(byte[].class)
        .defaultIfEmpty(new byte[0])
        .map(
            body -> {
              JsonNode root;
              try {
                root = json.readTree(body);
              } catch (RuntimeException e) {
                throw InferenceException.invalid(
                    "the body must be a JSON object: " + e.getMessage());
              }
              if (root == null || !root.isObject()) {
                throw InferenceException.invalid("the body must be a JSON object");
              }
              for (Map.Entry<String, JsonNode> e : root.properties()) {
                if (!FIELDS.contains(e.getKey())) {
                  throw InferenceException.invalid(
                      "unknown field '" + e.getKey() + "'; fields: " + FIELDS);
                }
              }
              if (root.path("clear").asBoolean(false)) {
                faults.clearAll();
              }
              if (root.has("listener")) {
                faults.listenerThrows(root.get("listener").asBoolean());
              }
              if (root.has("device")) {
                String device = root.get("device").asString();
                if (!devices.contains(device)) {
                  throw InferenceException.notFound(
                      "no device '" + device + "'; devices: " + devices);
                }
                FaultInjector f = faults.forDevice(device);
                String mode = root.path("mode").asString("none");
                switch (mode) {
                  case "none" -> f.clear();
                  case "fail" -> f.fail();
                  case "hang" -> f.hang();
                  case "slow" ->
                      f.slow(Duration.ofMillis(Math.max(0, root.path("delay_ms").asLong(10))));
                  default ->
                      throw InferenceException.invalid(
                          "mode must be none, fail, hang or slow, got '" + mode + "'");
                }
              }
              return true;
            })
        .flatMap(ok -> responses.ok(Map.of()))
        .onErrorResume(responses::failure);
  }
}
