package io.edgenpu.service.rest;

import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.service.backend.ModelInstance;
import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.Status;
import io.edgenpu.service.nawq.Images;
import io.edgenpu.service.nawq.SrEngine;
import io.edgenpu.service.repository.ModelRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code POST /v2/models/{m}[/versions/{v}]/upscale}: a PNG or JPEG in, its luma upscaled by the SR model in
 * the NPU's integer arithmetic out, as a grey PNG (NAWQ-SR, in progress). Query parameters: {@code max_drop_db}
 * (PSNR drop tolerated vs FP32: picks the fastest hybrid-precision configuration within it; default 0, the
 * all-A16W8 one) and {@code budget_us} (emulated NPU time allowed: extra time enhances the hardest tiles by
 * dynamic range estimation; default 0, none). The outcome is in headers: {@code X-Edgenpu-Config},
 * {@code X-Edgenpu-Bits}, {@code X-Edgenpu-Tiles}, {@code X-Edgenpu-Enhanced-Tiles}, {@code X-Edgenpu-Npu-Us}.
 * Runs on a blocking scheduler, not yet through the device scheduler.
 */
final class UpscaleHandler {
  static final int MAX_PIXELS = 512 * 512;

  private final ModelRepository repository;
  private final RestResponses responses;
  private final NpuProfile profile;
  private final int maxBodyBytes;
  private final Map<String, SrEngine> engines = new ConcurrentHashMap<>();

  UpscaleHandler(ModelRepository repository, RestResponses responses, NpuProfile profile, int maxBodyBytes) {
    this.repository = repository;
    this.responses = responses;
    this.profile = profile;
    this.maxBodyBytes = maxBodyBytes;
  }

  Mono<ServerResponse> upscale(ServerRequest req) {
    String model = req.pathVariable("model");
    String version = req.pathVariables().getOrDefault("version", "");
    return Mono.defer(() -> {
      MediaType type = req.headers().contentType().orElse(MediaType.APPLICATION_OCTET_STREAM);
      if (!type.isCompatibleWith(MediaType.IMAGE_PNG) && !type.isCompatibleWith(MediaType.IMAGE_JPEG)) {
        throw new InferenceException(Status.UNSUPPORTED_MEDIA_TYPE, "send the image as image/png or image/jpeg, not " + type);
      }
      double maxDrop = number(req, "max_drop_db");
      double budget = number(req, "budget_us");
      ModelInstance instance = repository.resolve(model, version).instance();
      return DataBufferUtils.join(req.bodyToFlux(DataBuffer.class), maxBodyBytes)
          .onErrorMap(DataBufferLimitException.class, e -> new InferenceException(Status.PAYLOAD_TOO_LARGE,
              "the image is larger than " + maxBodyBytes + " bytes"))
          .map(UpscaleHandler::bytes)
          .defaultIfEmpty(new byte[0])
          .publishOn(Schedulers.boundedElastic())
          .map(body -> run(instance, body, maxDrop, budget));
    }).flatMap(r -> ServerResponse.ok().contentType(MediaType.IMAGE_PNG)
            .header("X-Edgenpu-Config", r.result().config().name())
            .header("X-Edgenpu-Bits", r.result().config().bits().stream().map(String::valueOf).collect(Collectors.joining(",")))
            .header("X-Edgenpu-Tiles", Integer.toString(r.result().tiles()))
            .header("X-Edgenpu-Enhanced-Tiles", Integer.toString(r.result().enhancedTiles()))
            .header("X-Edgenpu-Npu-Us", String.format(Locale.ROOT, "%.1f", r.result().npuMicros()))
            .bodyValue(r.png()))
        .onErrorResume(responses::failure);
  }

  private record Reply(SrEngine.Result result, byte[] png) {}

  private Reply run(ModelInstance instance, byte[] body, double maxDrop, double budget) {
    if (body.length == 0) {
      throw InferenceException.invalid("the request has no image");
    }
    int[] size = Images.size(body);
    if (size == null) {
      throw InferenceException.invalid("the body is not a readable PNG or JPEG image");
    }
    if ((long) size[0] * size[1] > MAX_PIXELS) {
      throw new InferenceException(Status.PAYLOAD_TOO_LARGE, "the image has " + size[0] + "x" + size[1]
          + " pixels; at most " + MAX_PIXELS + " are upscaled per request");
    }
    SrEngine engine = engine(instance);
    SrEngine.Result r = engine.upscale(Images.luma(body, 0), maxDrop, budget);
    return new Reply(r, Images.png(r.image()));
  }

  private SrEngine engine(ModelInstance instance) {
    return engines.computeIfAbsent(instance.key(), k -> {
      Path dir = instance.config().directory();
      String name = instance.config().name();
      int scale = name.matches(".*x(\\d+)$") ? Integer.parseInt(name.replaceAll(".*x(\\d+)$", "$1")) : 0;
      if (scale < 1) {
        throw InferenceException.invalid("model '" + name + "' is not a super-resolution model (its name ends in x<scale>)");
      }
      try {
        return new SrEngine(dir.resolve(Long.toString(instance.version())).resolve("model.onnx"), dir, scale, profile);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (IllegalArgumentException e) {
        throw InferenceException.invalid("model '" + name + "' cannot run in the NPU's integer arithmetic: " + e.getMessage());
      }
    });
  }

  private static double number(ServerRequest req, String name) {
    String v = req.queryParam(name).orElse("0");
    try {
      double d = Double.parseDouble(v);
      if (!(d >= 0) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw InferenceException.invalid("'" + name + "' must be a non-negative number, got '" + v + "'");
    }
  }

  private static byte[] bytes(DataBuffer b) {
    byte[] out = new byte[b.readableByteCount()];
    b.read(out);
    DataBufferUtils.release(b);
    return out;
  }
}
