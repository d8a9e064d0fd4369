package io.edgenpu.service.rest;

import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import io.edgenpu.service.config.EdgeNpuProperties;
import io.edgenpu.service.config.ServerState;
import io.edgenpu.service.device.Device;
import io.edgenpu.service.device.FaultInjectors;
import io.edgenpu.service.inference.InferenceService;
import io.edgenpu.service.repository.ModelRepository;
import java.util.Map;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * The REST routes: OIP v2 plus Triton's extensions. Unknown paths under /v2 get an OIP 404; wrong
 * methods a 405.
 */
@Configuration(proxyBeanMethods = false)
public class OipRestRoutes {

  /** OIP error bodies for requests the HTTP decoder refuses (414, 431, 400). */
  @Bean
  NettyServerCustomizer decodingFailures() {
    return DecodingFailures.customizer();
  }

  @Bean
  OipRestHandler oipRestHandler(
      InferenceService inference,
      ModelRepository repository,
      ServerState state,
      EdgeNpuProperties props) {
    return new OipRestHandler(inference, repository, state, props);
  }

  @Bean
  ExpressionHandler expressionHandler(InferenceService inference, ModelRepository repository) {
    return new ExpressionHandler(inference, repository, JsonMapper.builder().build());
  }

  @Bean
  RouterFunction<ServerResponse> oipRoutes(
      OipRestHandler h,
      ExpressionHandler expressions,
      ModelRepository repository,
      InferenceService inference,
      EdgeNpuProperties props,
      FaultInjectors faults,
      Map<String, Device> devices) {
    NpuTraceHandler npu = new NpuTraceHandler(repository, JsonMapper.builder().build());
    UpscaleHandler upscale =
        new UpscaleHandler(
            inference,
            repository,
            new RestResponses(JsonMapper.builder().build()),
            (int) Math.min(Integer.MAX_VALUE, props.limits().maxBodySize().toBytes()));
    String model = "/v2/models/{model}";
    String version = "/v2/models/{model}/versions/{version}";
    RouterFunctions.Builder routes = RouterFunctions.route();
    if (props.resilience().faultInjection()) {
      routes.POST("/v2/admin/faults", new FaultsHandler(faults, devices.keySet())::set);
    }
    RouterFunction<ServerResponse> api =
        routes
            .GET("/v2", h::serverMetadata)
            .GET("/v2/health/live", h::live)
            .GET("/v2/health/ready", h::ready)
            .GET("/v2/models/stats", h::stats)
            .GET(model, h::modelMetadata)
            .GET(version, h::modelMetadata)
            .GET(model + "/ready", h::modelReady)
            .GET(version + "/ready", h::modelReady)
            .GET(model + "/config", h::modelConfig)
            .GET(version + "/config", h::modelConfig)
            .GET(model + "/stats", h::stats)
            .GET(version + "/stats", h::stats)
            .POST(model + "/infer", h::infer)
            .POST(version + "/infer", h::infer)
            .GET(model + "/npu", npu::trace)
            .GET(version + "/npu", npu::trace)
            .POST(model + "/upscale", upscale::upscale)
            .POST(version + "/upscale", upscale::upscale)
            .POST(model + "/listops", expressions::listops)
            .POST(version + "/listops", expressions::listops)
            .POST("/v2/repository/index", h::index)
            .POST("/v2/repository/models/{model}/load", h::load)
            .POST("/v2/repository/models/{model}/unload", h::unload)
            .filter(ConnectionLoop::filter)
            .build();
    return api.and(RouterFunctions.route(path("/v2").or(path("/v2/**")), h::fallback));
  }
}
