package io.edgenpu.service.rest;

import io.edgenpu.api.tensor.DataType;
import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.repository.TensorSpec;
import io.edgenpu.service.backend.ModelInstance;
import io.edgenpu.service.inference.Caller;
import io.edgenpu.service.inference.ExpressionTokenizer;
import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.InferenceRequest;
import io.edgenpu.service.inference.InferenceResult;
import io.edgenpu.service.inference.InferenceService;
import io.edgenpu.service.inference.NamedTensor;
import io.edgenpu.service.inference.Status;
import io.edgenpu.service.repository.ModelRepository;
import io.edgenpu.service.security.SecurityWebFilter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v2/models/{m}[/versions/{v}]/listops}: a ListOps expression as text in, the
 * predicted value and the class probabilities out. The body is {@code {"expression": "...", "id":
 * "..."}} (JSON) or the expression itself (text/plain). The expression is tokenised with the
 * model's own {@code vocab.txt} and served through the ordinary inference path (scheduler, device)
 * as one INT64 row. Errors are OIP error bodies: 400 for empty input, unknown tokens, over-long
 * expressions or a model without a vocabulary.
 */
final class ExpressionHandler {
  static final int MAX_BODY_BYTES = 64 * 1024;

  private final InferenceService inference;
  private final ModelRepository repository;
  private final RestResponses responses;
  private final JsonMapper mapper;
  private final Map<ModelInstance, ExpressionTokenizer> tokenizers =
      Collections.synchronizedMap(new WeakHashMap<>());

  ExpressionHandler(InferenceService inference, ModelRepository repository, JsonMapper mapper) {
    this.inference = inference;
    this.repository = repository;
    this.mapper = mapper;
    this.responses = new RestResponses(mapper);
    InferJsonCodec.warmUp(mapper);
  }

  private record Parsed(String expression, String id, Map<String, Object> parameters) {}

  Mono<ServerResponse> listops(ServerRequest req) {
    String model = req.pathVariable("model");
    String version = req.pathVariables().getOrDefault("version", "");
    return RequestBodies.read(
            req,
            MAX_BODY_BYTES,
            () ->
                new InferenceException(
                    Status.PAYLOAD_TOO_LARGE,
                    "an expression body is limited to " + MAX_BODY_BYTES + " bytes"))
        .flatMap(
            body -> {
              Parsed p = parse(req, body);
              ModelInstance instance = repository.resolve(model, version).instance();
              return tokenizer(instance)
                  .flatMap(
                      t ->
                          run(
                              model,
                              version,
                              instance,
                              t,
                              p,
                              SecurityWebFilter.callerOf(req.exchange())));
            })
        .onErrorResume(responses::failure);
  }

  private Mono<ServerResponse> run(
      String model,
      String version,
      ModelInstance instance,
      ExpressionTokenizer t,
      Parsed p,
      Caller caller) {
    TensorSpec in = instance.inputs().get(0);
    long length = in.shape().length == 0 ? -1 : in.shape()[in.shape().length - 1];
    if (instance.inputs().size() != 1 || in.dataType() != DataType.INT64 || length < 1) {
      throw InferenceException.invalid(
          "model '" + model + "' does not take a single INT64 row of token ids");
    }
    long[] ids = t.encode(p.expression(), (int) length);
    int used = ExpressionTokenizer.split(p.expression()).size();
    InferenceRequest ir =
        new InferenceRequest(
            model,
            version,
            p.id(),
            List.of(new NamedTensor(in.name(), Tensor.ofLongs(new long[] {1, length}, ids))),
            List.of(),
            p.parameters(),
            0);
    InferenceService.Call call = inference.infer(ir, caller);
    return Answers.of(call).flatMap(r -> responses.ok(view(r, used)));
  }

  private static Map<String, Object> view(InferenceResult r, int tokens) {
    float[] probabilities = r.outputs().get(0).tensor().toFloatArray();
    int best = 0;
    for (int c = 1; c < probabilities.length; c++) {
      if (probabilities[c] > probabilities[best]) {
        best = c;
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model_name", r.model());
    out.put("model_version", r.version());
    if (r.id() != null && !r.id().isEmpty()) {
      out.put("id", r.id());
    }
    out.put("tokens", tokens);
    out.put("value", best);
    out.put("probabilities", probabilities);
    return out;
  }

  private Parsed parse(ServerRequest req, byte[] body) {
    MediaType type;
    try {
      type = req.headers().contentType().orElse(MediaType.TEXT_PLAIN);
    } catch (RuntimeException e) {
      throw new InferenceException(Status.UNSUPPORTED_MEDIA_TYPE, "malformed Content-Type header");
    }
    if (type.isCompatibleWith(MediaType.TEXT_PLAIN)) {
      return new Parsed(new String(body, StandardCharsets.UTF_8), "", Map.of());
    }
    if (!type.isCompatibleWith(MediaType.APPLICATION_JSON)) {
      throw new InferenceException(
          Status.UNSUPPORTED_MEDIA_TYPE,
          "use application/json {\"expression\": ...} or text/plain");
    }
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (RuntimeException e) {
      throw InferenceException.invalid("malformed JSON body");
    }
    if (root == null
        || !root.isObject()
        || !root.has("expression")
        || !root.get("expression").isString()) {
      throw InferenceException.invalid(
          "the body must be a JSON object with a string field 'expression'");
    }
    JsonNode id = root.get("id");
    if (id != null && !id.isString()) {
      throw InferenceException.invalid("'id' must be a string");
    }
    JsonNode client = root.get("client_id");
    if (client != null && !client.isString()) {
      throw InferenceException.invalid("'client_id' must be a string");
    }
    Map<String, Object> parameters =
        client == null ? Map.of() : Map.of("client_id", client.asString());
    return new Parsed(
        root.get("expression").asString(), id == null ? "" : id.asString(), parameters);
  }

  /**
   * The model's tokenizer; its vocabulary file is read once per loaded instance, off the event
   * loop.
   */
  private Mono<ExpressionTokenizer> tokenizer(ModelInstance instance) {
    ExpressionTokenizer cached = tokenizers.get(instance);
    if (cached != null) {
      return Mono.just(cached);
    }
    return Mono.fromCallable(
            () -> {
              Path file = instance.config().directory().resolve("vocab.txt");
              if (!Files.isRegularFile(file)) {
                throw InferenceException.invalid(
                    "model '"
                        + instance.config().name()
                        + "' has no vocabulary (vocab.txt), so it takes no text");
              }
              try {
                ExpressionTokenizer t =
                    new ExpressionTokenizer(Files.readAllLines(file, StandardCharsets.UTF_8));
                tokenizers.put(instance, t);
                return t;
              } catch (IOException | IllegalArgumentException e) {
                throw InferenceException.invalid(
                    "model '"
                        + instance.config().name()
                        + "' has an unreadable vocabulary: "
                        + e.getMessage());
              }
            })
        .subscribeOn(Schedulers.boundedElastic());
  }
}
