package io.edgenpu.service.rest;

import io.edgenpu.api.tensor.Shapes;
import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.repository.ModelConfig;
import io.edgenpu.repository.TensorSpec;
import io.edgenpu.service.config.EdgeNpuProperties;
import io.edgenpu.service.config.ServerState;
import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.InferenceRequest;
import io.edgenpu.service.inference.InferenceService;
import io.edgenpu.service.inference.NamedTensor;
import io.edgenpu.service.inference.Status;
import io.edgenpu.service.repository.ModelEntry;
import io.edgenpu.service.repository.ModelRepository;
import io.edgenpu.service.repository.ModelState;
import io.edgenpu.service.repository.ModelVersion;
import io.edgenpu.service.security.SecurityWebFilter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.PathContainer;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

/**
 * Handlers of the Open Inference Protocol REST API and Triton's REST extensions (binary tensors,
 * model repository, statistics, model configuration). Non-blocking: bodies are read with a size
 * limit, inference completes from the device's scheduler, and repository load/unload runs on the
 * bounded-elastic scheduler.
 */
public final class OipRestHandler {
  static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  /**
   * Bodies up to this size are decoded (and their request planned) on the connection's event loop,
   * which takes tens of microseconds; larger ones on Reactor's parallel scheduler, so one large
   * request cannot hold up the other connections of its loop.
   */
  static final int INLINE_BODY_BYTES = 64 * 1024;

  private final InferenceService inference;
  private final ModelRepository repository;
  private final ServerState state;
  private final EdgeNpuProperties props;
  private final InferJsonCodec codec;
  private final RestResponses responses;
  private final int maxBodyBytes;

  public OipRestHandler(
      InferenceService inference,
      ModelRepository repository,
      ServerState state,
      EdgeNpuProperties props) {
    this.inference = inference;
    this.repository = repository;
    this.state = state;
    this.props = props;
    this.codec = new InferJsonCodec(props.limits().maxTensorElements());
    this.responses = new RestResponses(codec.mapper());
    this.maxBodyBytes =
        (int) Math.min(Integer.MAX_VALUE - 16, props.limits().maxBodySize().toBytes());
  }

  // ------------------------------------------------------------------ health and metadata

  Mono<ServerResponse> serverMetadata(ServerRequest req) {
    return responses.ok(ModelViews.server());
  }

  Mono<ServerResponse> live(ServerRequest req) {
    return responses.ok(Map.of("live", true));
  }

  /**
   * Ready: not draining, and (strict readiness) every loaded model READY. 200 or 503, with
   * {"ready": bool}.
   */
  Mono<ServerResponse> ready(ServerRequest req) {
    boolean ready = isReady();
    return responses.json(ready ? 200 : 503, Map.of("ready", ready));
  }

  public boolean isReady() {
    return !state.isDraining() && (!props.strictReadiness() || repository.allReady());
  }

  Mono<ServerResponse> modelMetadata(ServerRequest req) {
    return guard(
        () -> {
          String name = req.pathVariable("model");
          ModelVersion v = repository.resolve(name, version(req));
          return responses.ok(
              ModelViews.metadata(Objects.requireNonNull(repository.entry(name)), v));
        });
  }

  Mono<ServerResponse> modelReady(ServerRequest req) {
    return guard(
        () -> {
          String name = req.pathVariable("model");
          ModelEntry e = repository.entry(name);
          if (e == null) {
            throw InferenceException.notFound("unknown model '" + name + "'");
          }
          boolean ready;
          try {
            repository.resolve(name, version(req));
            ready = true;
          } catch (InferenceException ex) {
            if (ex.status() == Status.NOT_FOUND && e.state() == ModelState.READY) {
              throw ex;
            }
            ready = false;
          }
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("name", name);
          body.put("ready", ready);
          return responses.json(ready ? 200 : 503, body);
        });
  }

  Mono<ServerResponse> modelConfig(ServerRequest req) {
    return guard(
        () -> {
          String name = req.pathVariable("model");
          ModelVersion v = repository.resolve(name, version(req));
          ModelConfig c = v.instance().config();
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("name", c.name());
          m.put("kind", c.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'));
          m.put("description", c.description());
          m.put("max_batch_size", c.maxBatchSize());
          m.put("device", c.device());
          m.put("slo_us", c.slo().toNanos() / 1000);
          m.put("stages", c.stageCount());
          m.put("scheduling_policy", c.scheduling().policy());
          m.put("scheduling_parameters", c.scheduling().parameters());
          m.put("priority_levels", c.scheduling().queueLevels().size());
          m.put("drop_late", c.scheduling().dropLate());
          return responses.ok(m);
        });
  }

  private static String version(ServerRequest req) {
    return req.pathVariables().getOrDefault("version", "");
  }

  // ------------------------------------------------------------------ inference

  Mono<ServerResponse> infer(ServerRequest req) {
    String model = req.pathVariable("model");
    String version = version(req);
    MediaType type;
    try {
      type = req.headers().contentType().orElse(MediaType.APPLICATION_JSON);
    } catch (RuntimeException e) {
      return responses.error(
          new InferenceException(Status.UNSUPPORTED_MEDIA_TYPE, "malformed Content-Type header"));
    }
    if (!type.isCompatibleWith(MediaType.APPLICATION_JSON)
        && !type.isCompatibleWith(MediaType.APPLICATION_OCTET_STREAM)
        && !"json".equals(type.getSubtypeSuffix())) {
      return responses.error(
          new InferenceException(
              Status.UNSUPPORTED_MEDIA_TYPE,
              "unsupported Content-Type "
                  + type
                  + "; use application/json or application/octet-stream (binary tensor extension)"));
    }
    long declared = req.headers().contentLength().orElse(-1);
    if (declared > maxBodyBytes) {
      return responses.error(tooLarge());
    }
    return readBody(req)
        .flatMap(
            body ->
                body.length <= INLINE_BODY_BYTES
                    ? Mono.just(body)
                    : Mono.just(body)
                        .publishOn(
                            Schedulers.parallel())) // large bodies are parsed off the event loop
        .flatMap(
            body -> {
              InferenceRequest ir = decode(req, model, version, body);
              InferenceService.Call call =
                  inference.infer(ir, SecurityWebFilter.callerOf(req.exchange()));
              return Answers.of(call)
                  .flatMap(
                      result -> {
                        InferJsonCodec.Encoded enc = codec.encode(result, ir);
                        ServerResponse.BodyBuilder b = ServerResponse.ok();
                        if (enc.jsonLength() >= 0) {
                          b.contentType(MediaType.APPLICATION_OCTET_STREAM)
                              .header(HEADER_LENGTH, Integer.toString(enc.jsonLength()));
                        } else {
                          b.contentType(MediaType.APPLICATION_JSON);
                        }
                        return b.bodyValue(enc.body());
                      });
            })
        .onErrorResume(responses::failure);
  }

  private InferenceException tooLarge() {
    return new InferenceException(
        Status.PAYLOAD_TOO_LARGE, "request body exceeds the limit of " + maxBodyBytes + " bytes");
  }

  private Mono<byte[]> readBody(ServerRequest req) {
    return RequestBodies.read(req, maxBodyBytes, this::tooLarge);
  }

  private InferenceRequest decode(ServerRequest req, String model, String version, byte[] body) {
    String header = req.headers().firstHeader(HEADER_LENGTH);
    if (header == null) {
      return codec.decode(model, version, body, body.length, 0);
    }
    int jsonLength;
    try {
      jsonLength = Integer.parseInt(header.trim());
    } catch (NumberFormatException e) {
      throw InferenceException.invalid(HEADER_LENGTH + " must be an integer, got '" + header + "'");
    }
    if (jsonLength < 0 || jsonLength > body.length) {
      throw InferenceException.invalid(
          HEADER_LENGTH + " is " + jsonLength + " but the body has " + body.length + " bytes");
    }
    if (jsonLength == 0) {
      return rawBinaryRequest(model, version, body);
    }
    return codec.decode(model, version, body, jsonLength, 0);
  }

  /**
   * Triton's raw binary request: the body is the single input's bytes, batch 1, shape from the
   * model.
   */
  private InferenceRequest rawBinaryRequest(String model, String version, byte[] body) {
    ModelVersion v = repository.resolve(model, version);
    List<TensorSpec> inputs = v.instance().inputs();
    if (inputs.size() != 1) {
      throw InferenceException.invalid(
          "a raw binary request needs a model with exactly one input; '"
              + model
              + "' has "
              + inputs.size());
    }
    TensorSpec spec = inputs.get(0);
    long[] shape = new long[spec.shape().length + 1];
    shape[0] = 1;
    for (int i = 0; i < spec.shape().length; i++) {
      if (spec.shape()[i] < 0) {
        throw InferenceException.invalid(
            "a raw binary request needs fully known input dimensions; '"
                + spec.name()
                + "' is "
                + Shapes.toString(spec.batchedShape()));
      }
      shape[i + 1] = spec.shape()[i];
    }
    try {
      Tensor t = Tensor.ofRaw(spec.dataType(), shape, ByteBuffer.wrap(body));
      return new InferenceRequest(
          model,
          version,
          null,
          List.of(new NamedTensor(spec.name(), t)),
          List.of(),
          Map.of(InferJsonCodec.BINARY_DATA_OUTPUT, true),
          0);
    } catch (IllegalArgumentException e) {
      throw InferenceException.invalid("raw binary input '" + spec.name() + "': " + e.getMessage());
    }
  }

  // ------------------------------------------------------------------ statistics

  Mono<ServerResponse> stats(ServerRequest req) {
    return guard(
        () -> {
          String name = req.pathVariables().get("model");
          List<Map<String, Object>> all = new ArrayList<>();
          if (name == null) {
            for (ModelEntry e : repository.entries()) {
              for (ModelVersion v : e.versions().values()) {
                all.add(ModelViews.stats(e.name(), v));
              }
            }
          } else {
            ModelEntry e = repository.entry(name);
            if (e == null) {
              throw InferenceException.notFound("unknown model '" + name + "'");
            }
            String version = version(req);
            if (version.isEmpty()) {
              for (ModelVersion v : e.versions().values()) {
                all.add(ModelViews.stats(name, v));
              }
            } else {
              all.add(ModelViews.stats(name, repository.resolve(name, version)));
            }
          }
          return responses.ok(Map.of("model_stats", all));
        });
  }

  // ------------------------------------------------------------------ repository

  Mono<ServerResponse> index(ServerRequest req) {
    // Listing the repository folder reads the disk: off the event loop.
    return readBody(req)
        .publishOn(Schedulers.boundedElastic())
        .flatMap(
            body -> {
              boolean readyOnly = false;
              if (body.length > 0) {
                JsonNode root = codec.parse(body, 0, body.length);
                if (!root.isObject()) {
                  throw InferenceException.invalid("the index request body must be a JSON object");
                }
                for (Map.Entry<String, JsonNode> e : root.properties()) {
                  if (!e.getKey().equals("ready") && !e.getKey().equals("repository_name")) {
                    throw InferenceException.invalid(
                        "unknown field '" + e.getKey() + "' in the index request");
                  }
                }
                JsonNode r = root.get("ready");
                if (r != null && !r.isBoolean()) {
                  throw InferenceException.invalid("'ready' must be a boolean");
                }
                readyOnly = r != null && r.booleanValue();
              }
              List<Map<String, Object>> out = new ArrayList<>();
              for (ModelEntry e : repository.entries()) {
                if (e.versions().isEmpty()) {
                  if (!readyOnly) {
                    out.add(ModelViews.indexEntry(e.name(), null, e.state().name(), e.reason()));
                  }
                  continue;
                }
                for (Long v : e.versions().keySet()) {
                  if (!readyOnly || e.state() == ModelState.READY) {
                    out.add(
                        ModelViews.indexEntry(
                            e.name(), Long.toString(v), e.state().name(), e.reason()));
                  }
                }
              }
              if (!readyOnly) {
                try {
                  for (String n : repository.unloadedFolders()) {
                    out.add(
                        ModelViews.indexEntry(
                            n, null, ModelState.UNAVAILABLE.name(), "not loaded"));
                  }
                } catch (IOException e) {
                  throw new InferenceException(Status.INTERNAL, "cannot list the model repository");
                }
              }
              return responses.ok(out);
            })
        .onErrorResume(responses::failure);
  }

  Mono<ServerResponse> load(ServerRequest req) {
    return repositoryAction(req, true);
  }

  Mono<ServerResponse> unload(ServerRequest req) {
    return repositoryAction(req, false);
  }

  private Mono<ServerResponse> repositoryAction(ServerRequest req, boolean load) {
    String name = req.pathVariable("model");
    return readBody(req)
        .flatMap(
            body -> {
              if (body.length > 0) {
                JsonNode root = codec.parse(body, 0, body.length);
                if (!root.isObject()) {
                  throw InferenceException.invalid("the request body must be a JSON object");
                }
                Map<String, Object> params =
                    InferJsonCodec.parameters(root.get("parameters"), "repository request");
                Set<String> known = load ? Set.of() : Set.of("unload_dependents");
                for (String k : params.keySet()) {
                  if (!known.contains(k)) {
                    throw InferenceException.invalid(
                        "unsupported parameter '"
                            + k
                            + "'"
                            + (load
                                ? " (configuration overrides are not supported; edit config.yaml)"
                                : ""));
                  }
                }
                for (Map.Entry<String, JsonNode> e : root.properties()) {
                  if (!e.getKey().equals("parameters")) {
                    throw InferenceException.invalid("unknown field '" + e.getKey() + "'");
                  }
                }
              }
              return Mono.fromCallable(
                      () -> {
                        if (load) {
                          repository.load(name);
                        } else {
                          repository.unload(name);
                        }
                        return true;
                      })
                  .subscribeOn(Schedulers.boundedElastic());
            })
        .flatMap(ok -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue("{}"))
        .onErrorResume(responses::failure);
  }

  // ------------------------------------------------------------------ fallbacks

  private static final Map<PathPattern, String> ALLOWED = allowed();

  private static Map<PathPattern, String> allowed() {
    PathPatternParser p = PathPatternParser.defaultInstance;
    Map<PathPattern, String> m = new LinkedHashMap<>();
    for (String get :
        List.of(
            "/v2",
            "/v2/health/live",
            "/v2/health/ready",
            "/v2/models/stats",
            "/v2/models/{m}",
            "/v2/models/{m}/versions/{v}",
            "/v2/models/{m}/ready",
            "/v2/models/{m}/versions/{v}/ready",
            "/v2/models/{m}/config",
            "/v2/models/{m}/versions/{v}/config",
            "/v2/models/{m}/stats",
            "/v2/models/{m}/versions/{v}/stats")) {
      m.put(p.parse(get), "GET");
    }
    for (String post :
        List.of(
            "/v2/models/{m}/infer",
            "/v2/models/{m}/versions/{v}/infer",
            "/v2/repository/index",
            "/v2/repository/models/{m}/load",
            "/v2/repository/models/{m}/unload")) {
      m.put(p.parse(post), "POST");
    }
    return m;
  }

  /**
   * Unmatched requests under /v2: 405 (with Allow) for a known path and another method, else 404;
   * OIP error body.
   */
  Mono<ServerResponse> fallback(ServerRequest req) {
    PathContainer path = PathContainer.parsePath(req.path());
    for (Map.Entry<PathPattern, String> e : ALLOWED.entrySet()) {
      if (e.getKey().matches(path)) {
        return ServerResponse.status(HttpStatus.METHOD_NOT_ALLOWED)
            .header("Allow", e.getValue())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(
                codec
                    .mapper()
                    .writeValueAsBytes(
                        Map.of(
                            "error",
                            "method "
                                + req.method()
                                + " is not allowed on "
                                + req.path()
                                + "; use "
                                + e.getValue())));
      }
    }
    return responses.error(
        InferenceException.notFound("no such endpoint: " + req.method() + " " + req.path()));
  }

  private Mono<ServerResponse> guard(Supplier<Mono<ServerResponse>> body) {
    try {
      return body.get();
    } catch (RuntimeException e) {
      return responses.failure(e);
    }
  }
}
