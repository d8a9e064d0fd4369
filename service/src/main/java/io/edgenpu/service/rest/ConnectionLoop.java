package io.edgenpu.service.rest;

import io.netty.channel.EventLoop;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;

/**
 * A route filter that hands every response to the event loop of the request's own connection before
 * it is written.
 *
 * <p>Answers of inference requests complete on device and compute threads, repository actions on
 * the bounded-elastic pool. Writing an HTTP/1.1 response from such a thread races Reactor Netty's
 * keep-alive hand-over to the connection's next request: a later request on the same connection
 * could be read and never answered (seen in 1-6 % of POST infer, GET, GET sequences). On the
 * connection's own loop the response, its completion and the reading of the next request are
 * ordered. A response that is already on its loop is not moved.
 */
final class ConnectionLoop {
  private ConnectionLoop() {}

  /**
   * {@link org.springframework.web.reactive.function.server.HandlerFilterFunction} body: see the
   * class comment.
   */
  static Mono<ServerResponse> filter(ServerRequest req, HandlerFunction<ServerResponse> next) {
    EventLoop loop = loopOf(req.exchange().getRequest());
    Mono<ServerResponse> response = next.handle(req);
    return loop == null ? response : response.publishOn(scheduler(loop));
  }

  private static Scheduler scheduler(EventLoop loop) {
    Executor onLoop =
        task -> {
          if (loop.inEventLoop()) {
            task.run();
          } else {
            loop.execute(task);
          }
        };
    return Schedulers.fromExecutor(onLoop);
  }

  /**
   * The event loop of the connection that carries {@code request}, or null when there is none (a
   * mock server).
   */
  static @Nullable EventLoop loopOf(ServerHttpRequest request) {
    ServerHttpRequest r = request;
    while (r instanceof ServerHttpRequestDecorator d) {
      r = d.getDelegate();
    }
    if (r instanceof AbstractServerHttpRequest a && a.getNativeRequest() instanceof Connection c) {
      return c.channel().eventLoop();
    }
    return null;
  }
}
