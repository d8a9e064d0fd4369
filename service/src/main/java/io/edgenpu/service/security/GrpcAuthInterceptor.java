package io.edgenpu.service.security;

import io.edgenpu.service.inference.Caller;
import io.edgenpu.service.inference.InferenceException;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Set;

/**
 * gRPC side of the device tokens: reads the {@code authorization} metadata ({@code Bearer
 * <token>}), puts the {@link Caller} in the call's {@link Context} ({@link #CALLER}); health RPCs
 * need no token, repository load and unload need the admin role. Failures close the call with
 * UNAUTHENTICATED or PERMISSION_DENIED.
 */
public final class GrpcAuthInterceptor implements ServerInterceptor {
  /** The call's caller; {@link Caller#ANONYMOUS} when security is off. */
  public static final Context.Key<Caller> CALLER =
      Context.keyWithDefault("edgenpu-caller", Caller.ANONYMOUS);

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Set<String> OPEN = Set.of("ServerLive", "ServerReady", "ModelReady");
  private static final Set<String> ADMIN = Set.of("RepositoryModelLoad", "RepositoryModelUnload");

  private final TokenAuthenticator tokens;

  public GrpcAuthInterceptor(TokenAuthenticator tokens) {
    this.tokens = tokens;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    if (!tokens.enabled() || OPEN.contains(method)) {
      return next.startCall(call, headers);
    }
    Caller caller;
    try {
      caller = tokens.authenticate(headers.get(AUTHORIZATION));
      if (ADMIN.contains(method)) {
        TokenAuthenticator.requireAdmin(caller, "loading or unloading models");
      }
    } catch (InferenceException e) {
      Status status =
          e.status() == io.edgenpu.service.inference.Status.PERMISSION_DENIED
              ? Status.PERMISSION_DENIED
              : Status.UNAUTHENTICATED;
      call.close(status.withDescription(e.getMessage()), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(Context.current().withValue(CALLER, caller), call, headers, next);
  }
}
