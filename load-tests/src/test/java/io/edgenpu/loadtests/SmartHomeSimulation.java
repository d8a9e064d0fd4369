package io.edgenpu.loadtests;

import static io.gatling.javaapi.core.CoreDsl.ElFileBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A smart home's device fleet against one server on loopback: cameras and a doorbell classifying
 * frames on the early-exit CNN (each frame a held-out view, {@link HeldOutImages}, so the exits are
 * the model's natural ones), tablets upscaling RGB patches (super-resolution in the NPU's integer
 * arithmetic, NAWQ-SR), voice hubs asking ListOps questions of FABNet, and a door lock in the
 * critical class. Each device has its own rate; arrivals are Poisson (randomized open injection)
 * with a burst from every camera halfway through. The run fails when the error rate or a request
 * type's p99 exceeds its bound. Bounded: {@code durationSeconds} (default 60).
 *
 * <p>System properties: {@code baseUrl} (http://127.0.0.1:8000), {@code durationSeconds}, {@code
 * rateScale} (multiplies every device's rate, default 1), {@code maxErrorPercent} (2), {@code
 * maxP99Ms.classify|upscale|listops}.
 */
public class SmartHomeSimulation extends Simulation {
  static final String BASE_URL = System.getProperty("baseUrl", "http://127.0.0.1:8000");
  static final int DURATION_S = Integer.getInteger("durationSeconds", 60);
  static final double RATE_SCALE = Double.parseDouble(System.getProperty("rateScale", "1"));
  static final double MAX_ERROR_PERCENT =
      Double.parseDouble(System.getProperty("maxErrorPercent", "2"));

  /** One kind of request: its Gatling name, path, body template and p99 bound (ms). */
  record RequestType(String name, String path, String body, int maxP99Ms) {}

  static final RequestType CLASSIFY =
      new RequestType(
          "classify ee-digits",
          "/v2/models/ee-digits/infer",
          "bodies/ee-digits.json",
          Integer.getInteger("maxP99Ms.classify", 250));

  /**
   * Upscaling through NAWQ-SR: an OIP infer on the emulated NPU's integer path (UINT8 RGB planes, a
   * 32x32 crop of the held-out chelsea low-resolution image), with a budget for the codec.
   */
  static final RequestType UPSCALE =
      new RequestType(
          "upscale esrgan-slim-x2-nawq",
          "/v2/models/esrgan-slim-x2-nawq/infer",
          "bodies/esrgan-slim-x2-nawq.json",
          Integer.getInteger("maxP99Ms.upscale", 1000));

  static final RequestType LISTOPS =
      new RequestType(
          "listops fabnet",
          "/v2/models/fabnet-listops/listops",
          "bodies/listops.json",
          Integer.getInteger("maxP99Ms.listops", 500));

  /**
   * One device: its client id (the server's fairness and per-device meters key on it), request
   * type, rate.
   */
  record Device(String id, RequestType type, double perSecond) {}

  static final List<Device> FLEET =
      List.of(
          new Device("camera-garden", CLASSIFY, 6),
          new Device("camera-porch", CLASSIFY, 6),
          new Device("camera-garage", CLASSIFY, 4),
          new Device("doorbell-1", CLASSIFY, 2),
          new Device("front-door-lock", CLASSIFY, 1),
          new Device("tablet-living", UPSCALE, 1),
          new Device("tablet-kitchen", UPSCALE, 0.5),
          new Device("hub-kitchen", LISTOPS, 2),
          new Device("hub-bedroom", LISTOPS, 1));

  // Protocol: loopback, JSON, one connection pool shared by the fleet's virtual users.
  static final HttpProtocolBuilder PROTOCOL =
      http.baseUrl(BASE_URL)
          .contentTypeHeader("application/json")
          .acceptHeader("application/json")
          .shareConnections();

  /** The cameras' views: the held-out set of ee-digits, its natural mix of easy and hard. */
  static final HeldOutImages VIEWS = HeldOutImages.shipped();

  static ScenarioBuilder deviceScenario(Device d) {
    AtomicLong n = new AtomicLong();
    ScenarioBuilder s = scenario(d.id());
    if (d.type().equals(CLASSIFY)) {
      s = s.feed(VIEWS.feeder(d.id().hashCode()));
    }
    return s.exec(session -> session.set("device", d.id()).set("n", n.incrementAndGet()))
        .exec(
            http(d.type().name())
                .post(d.type().path())
                .body(ElFileBody(d.type().body()))
                // 429 is the server shedding on purpose (admission control, with Retry-After):
                // expected under the
                // burst, not a failure. Anything else but 200 (a 504 above all: admitted but late)
                // is.
                .check(status().in(200, 429)));
  }

  // Injection: Poisson arrivals at each device's rate; cameras add a burst of 10 requests each
  // halfway through.
  static PopulationBuilder population(Device d) {
    double rate = d.perSecond() * RATE_SCALE;
    Duration half = Duration.ofSeconds(DURATION_S / 2);
    List<OpenInjectionStep> steps = new ArrayList<>();
    steps.add(constantUsersPerSec(rate).during(half).randomized());
    if (d.id().startsWith("camera")) {
      steps.add(atOnceUsers(10));
    }
    steps.add(
        constantUsersPerSec(rate)
            .during(Duration.ofSeconds(DURATION_S - DURATION_S / 2))
            .randomized());
    return deviceScenario(d).injectOpen(steps.toArray(OpenInjectionStep[]::new));
  }

  // Assertions: the run fails when errors or a request type's tail latency exceed their bounds.
  static List<Assertion> assertions() {
    List<Assertion> a = new ArrayList<>();
    a.add(global().failedRequests().percent().lte(MAX_ERROR_PERCENT));
    for (RequestType t : List.of(CLASSIFY, UPSCALE, LISTOPS)) {
      a.add(details(t.name()).responseTime().percentile(99).lte(t.maxP99Ms()));
    }
    return a;
  }

  {
    setUp(FLEET.stream().map(SmartHomeSimulation::population).toList())
        .protocols(PROTOCOL)
        .assertions(assertions())
        .maxDuration(Duration.ofSeconds(DURATION_S + 30));
  }

  static {
    if (!BASE_URL.startsWith("http://127.") && !BASE_URL.startsWith("http://localhost")) {
      throw new IllegalArgumentException("load tests target loopback only; baseUrl=" + BASE_URL);
    }
  }
}
