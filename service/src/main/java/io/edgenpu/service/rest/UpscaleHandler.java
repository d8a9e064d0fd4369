package io.edgenpu.service.rest;

import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.service.backend.ModelInstance;
import io.edgenpu.service.backend.NawqSrModel;
import io.edgenpu.service.inference.Caller;
import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.InferenceRequest;
import io.edgenpu.service.inference.InferenceResult;
import io.edgenpu.service.inference.InferenceService;
import io.edgenpu.service.inference.NamedTensor;
import io.edgenpu.service.inference.Status;
import io.edgenpu.service.nawq.Images;
import io.edgenpu.service.nawq.SrRequests;
import io.edgenpu.service.repository.ModelRepository;
import io.edgenpu.service.security.SecurityWebFilter;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code POST /v2/models/{m}[/versions/{v}]/upscale} on a NAWQ-SR model: a PNG or JPEG in, the
 * image upscaled in the NPU's integer arithmetic out as a PNG. RGB networks (input [3, H, W]) take
 * and return colour (a grey image as three equal planes, returned in colour); luma networks: grey
 * in, grey out, colour by luma through the network and chroma bicubic. The image goes through the
 * same path as an OIP {@code infer} with a UINT8 tensor: its tiles are scheduler samples on the
 * model's device. Query parameters {@code max_drop_db} and {@code budget_us} (see {@link
 * SrRequests}); the outcome is in headers: {@code X-Edgenpu-Config}, {@code X-Edgenpu-Bits}, {@code
 * X-Edgenpu-Tiles}, {@code X-Edgenpu-Enhanced-Tiles}, {@code X-Edgenpu-Npu-Us}. Decoding and
 * encoding run on a blocking scheduler.
 */
final class UpscaleHandler {
  static final int MAX_PIXELS = 512 * 512;

  private final InferenceService inference;
  private final ModelRepository repository;
  private final RestResponses responses;
  private final int maxBodyBytes;

  UpscaleHandler(
      InferenceService inference,
      ModelRepository repository,
      RestResponses responses,
      int maxBodyBytes) {
    this.inference = inference;
    this.repository = repository;
    this.responses = responses;
    this.maxBodyBytes = maxBodyBytes;
  }

  Mono<ServerResponse> upscale(ServerRequest req) {
    String model = req.pathVariable("model");
    String version = req.pathVariables().getOrDefault("version", "");
    Caller caller = SecurityWebFilter.callerOf(req.exchange());
    return Mono.defer(
            () -> {
              MediaType type =
                  req.headers().contentType().orElse(MediaType.APPLICATION_OCTET_STREAM);
              if (!type.isCompatibleWith(MediaType.IMAGE_PNG)
                  && !type.isCompatibleWith(MediaType.IMAGE_JPEG)) {
                throw new InferenceException(
                    Status.UNSUPPORTED_MEDIA_TYPE,
                    "send the image as image/png or image/jpeg, not " + type);
              }
              Map<String, Object> parameters =
                  Map.of(
                      SrRequests.MAX_DROP_DB,
                      number(req, SrRequests.MAX_DROP_DB),
                      SrRequests.BUDGET_US,
                      number(req, SrRequests.BUDGET_US));
              ModelInstance instance = repository.resolve(model, version).instance();
              if (!(instance instanceof NawqSrModel)) {
                throw InferenceException.invalid(
                    "model '"
                        + model
                        + "' is not a NAWQ-SR model (kind: nawq-sr), e.g. sr-x2-nawq");
              }
              int channels = (int) instance.inputs().get(0).shape()[0];
              return RequestBodies.read(
                      req,
                      maxBodyBytes,
                      () ->
                          new InferenceException(
                              Status.PAYLOAD_TOO_LARGE,
                              "the image is larger than " + maxBodyBytes + " bytes"))
                  .publishOn(Schedulers.boundedElastic())
                  .map(UpscaleHandler::decode)
                  .flatMap(
                      image -> {
                        InferenceRequest ir =
                            new InferenceRequest(
                                model,
                                version,
                                null,
                                List.of(
                                    new NamedTensor(
                                        NawqSrModel.INPUT,
                                        SrRequests.toUint8(image.forChannels(channels)))),
                                List.of(),
                                parameters,
                                0);
                        InferenceService.Call call = inference.infer(ir, caller);
                        return Answers.of(call)
                            .publishOn(Schedulers.boundedElastic())
                            .flatMap(r -> reply(r, image));
                      });
            })
        .onErrorResume(responses::failure);
  }

  private static Mono<ServerResponse> reply(InferenceResult r, Images.Decoded source) {
    Tensor out = r.outputs().get(0).tensor();
    int h = (int) out.dim(2);
    int w = (int) out.dim(3);
    byte[] png =
        out.dim(1) == 3
            ? Images.pngRgb(out.toUint8Array(), h, w)
            : Images.png(out.toUint8Array(), h, w, source);
    Map<String, Object> p = r.parameters();
    return ServerResponse.ok()
        .contentType(MediaType.IMAGE_PNG)
        .header("X-Edgenpu-Config", String.valueOf(p.get("nawq_config")))
        .header("X-Edgenpu-Bits", String.valueOf(p.get("nawq_bits")))
        .header("X-Edgenpu-Tiles", String.valueOf(p.get("tiles")))
        .header("X-Edgenpu-Enhanced-Tiles", String.valueOf(p.get("enhanced_tiles")))
        .header("X-Edgenpu-Npu-Us", String.valueOf(p.get("npu_us")))
        .bodyValue(png);
  }

  private static Images.Decoded decode(byte[] body) {
    if (body.length == 0) {
      throw InferenceException.invalid("the request has no image");
    }
    int[] size = Images.size(body);
    if (size == null) {
      throw InferenceException.invalid("the body is not a readable PNG or JPEG image");
    }
    if (size[0] < 1 || size[1] < 1) {
      throw InferenceException.invalid("the image has no pixels");
    }
    if ((long) size[0] * size[1] > MAX_PIXELS) {
      throw new InferenceException(
          Status.PAYLOAD_TOO_LARGE,
          "the image has "
              + size[0]
              + "x"
              + size[1]
              + " pixels; at most "
              + MAX_PIXELS
              + " are upscaled per request");
    }
    return Images.decode(body);
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
      throw InferenceException.invalid(
          "'" + name + "' must be a non-negative number, got '" + v + "'");
    }
  }
}
