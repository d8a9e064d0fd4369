package io.edgenpu.service.rest;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import reactor.netty.NettyPipeline;

/**
 * Requests the HTTP decoder itself refuses (a request line over its limit: 414; headers over their
 * limit: 431; anything else it cannot parse: 400) are answered with the OIP error body {@code
 * {"error": ...}}, as every other error is, and the connection is closed. Without this Reactor
 * Netty answers them with an empty body. Sits in each connection's pipeline right after the HTTP
 * codec.
 */
@ChannelHandler.Sharable
final class DecodingFailures extends ChannelInboundHandlerAdapter {
  static final String NAME = "edgenpu.decodingFailures";
  private static final DecodingFailures INSTANCE = new DecodingFailures();

  /** Adds the handler to every HTTP connection of the server. */
  static NettyServerCustomizer customizer() {
    return server ->
        server.doOnChannelInit(
            (observer, channel, remote) -> {
              if (channel.pipeline().get(NettyPipeline.HttpCodec) != null
                  && channel.pipeline().get(NAME) == null) {
                channel.pipeline().addAfter(NettyPipeline.HttpCodec, NAME, INSTANCE);
              }
            });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
      DecoderResult result = o.decoderResult();
      ReferenceCountUtil.release(msg);
      if (msg instanceof HttpContent && !(msg instanceof HttpRequest)) {
        ChannelFuture unused = ctx.close(); // a body the decoder could not frame: untrustworthy
        return;
      }
      answer(ctx, result.cause());
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private static void answer(ChannelHandlerContext ctx, Throwable cause) {
    HttpResponseStatus status;
    String reason;
    if (cause instanceof TooLongHttpLineException) {
      status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
      reason = "the request line is longer than the server accepts";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
      reason = "the request headers are larger than the server accepts";
    } else if (cause instanceof TooLongFrameException) {
      status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
      reason = "a part of the request is larger than the server accepts";
    } else {
      status = HttpResponseStatus.BAD_REQUEST;
      reason = "malformed HTTP request";
    }
    byte[] body = ("{\"error\":\"" + reason + "\"}").getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    // Lingering close: stop sending, keep reading (the decoder discards what follows) for a moment,
    // then
    // close. Closing at once with unread request bytes makes the kernel reset the connection, and a
    // client
    // still writing a huge header would lose the answer.
    ctx.writeAndFlush(response)
        .addListener(
            f -> {
              if (ctx.channel() instanceof DuplexChannel duplex) {
                ChannelFuture unusedShutdown = duplex.shutdownOutput();
                Future<?> unusedLinger =
                    ctx.executor()
                        .schedule(
                            () -> {
                              ChannelFuture unusedLingerClose = ctx.close();
                            },
                            LINGER_MILLIS,
                            TimeUnit.MILLISECONDS);
              } else {
                ChannelFuture unusedClose = ctx.close();
              }
            });
  }

  /** How long a refused connection keeps reading (and discarding) before it is closed. */
  private static final long LINGER_MILLIS = 2_000;
}
