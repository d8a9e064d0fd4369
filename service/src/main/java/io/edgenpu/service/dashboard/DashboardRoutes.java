package io.edgenpu.service.dashboard;

import io.edgenpu.service.config.EdgeNpuProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * The live dashboard: the page ({@code /dashboard/}, files served from memory, uPlot from its
 * WebJar) and its server-sent event stream {@code /dashboard/events}: the retained history first,
 * then one snapshot per interval. Snapshots are taken once per interval for all viewers, off the
 * request path.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "edgenpu.dashboard.enabled", matchIfMissing = true)
public class DashboardRoutes {
  /** The uPlot WebJar's version (the service's pom pins the same through uplot.version). */
  static final String UPLOT_VERSION = "1.6.30";

  /** Samples the meters on a timer and broadcasts each snapshot; stops with the application. */
  public static final class Broadcaster implements AutoCloseable {
    private final DashboardSampler sampler;
    private final Sinks.Many<DashboardSampler.Snapshot> sink =
        Sinks.many().multicast().directBestEffort();
    private final Disposable ticker;

    Broadcaster(DashboardSampler sampler, Duration interval) {
      this.sampler = sampler;
      this.ticker =
          Flux.interval(interval, Schedulers.parallel())
              .subscribe(
                  i ->
                      sink.tryEmitNext(
                          sampler.tick(System.nanoTime(), System.currentTimeMillis())));
    }

    Flux<DashboardSampler.Snapshot> stream() {
      return Flux.concat(Flux.fromIterable(sampler.history()), sink.asFlux());
    }

    @Override
    public void close() {
      ticker.dispose();
      sink.tryEmitComplete();
    }
  }

  @Bean(destroyMethod = "close")
  Broadcaster dashboardBroadcaster(MeterRegistry registry, EdgeNpuProperties props) {
    EdgeNpuProperties.Dashboard d = props.dashboard();
    return new Broadcaster(new DashboardSampler(registry, d.window(), d.history()), d.interval());
  }

  @Bean
  RouterFunction<ServerResponse> dashboardRouter(Broadcaster broadcaster) {
    DashboardAssets assets = new DashboardAssets(UPLOT_VERSION);
    return RouterFunctions.route()
        .GET("/dashboard", r -> ServerResponse.permanentRedirect(URI.create("/dashboard/")).build())
        .GET(
            "/dashboard/events",
            r ->
                ServerResponse.ok()
                    .contentType(MediaType.TEXT_EVENT_STREAM)
                    .body(
                        broadcaster.stream()
                            .map(
                                s -> ServerSentEvent.builder(s.toJson()).event("snapshot").build()),
                        ServerSentEvent.class))
        .GET("/dashboard/**", assets::serve)
        .build();
  }
}
