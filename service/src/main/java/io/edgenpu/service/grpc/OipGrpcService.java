package io.edgenpu.service.grpc;

import io.edgenpu.api.grpc.GRPCInferenceServiceGrpc;
import io.edgenpu.api.grpc.InferBatchStatistics;
import io.edgenpu.api.grpc.InferStatistics;
import io.edgenpu.api.grpc.ModelInferRequest;
import io.edgenpu.api.grpc.ModelInferResponse;
import io.edgenpu.api.grpc.ModelMetadataRequest;
import io.edgenpu.api.grpc.ModelMetadataResponse;
import io.edgenpu.api.grpc.ModelReadyRequest;
import io.edgenpu.api.grpc.ModelReadyResponse;
import io.edgenpu.api.grpc.ModelStatistics;
import io.edgenpu.api.grpc.ModelStatisticsRequest;
import io.edgenpu.api.grpc.ModelStatisticsResponse;
import io.edgenpu.api.grpc.ModelStreamInferResponse;
import io.edgenpu.api.grpc.RepositoryIndexRequest;
import io.edgenpu.api.grpc.RepositoryIndexResponse;
import io.edgenpu.api.grpc.RepositoryModelLoadRequest;
import io.edgenpu.api.grpc.RepositoryModelLoadResponse;
import io.edgenpu.api.grpc.RepositoryModelUnloadRequest;
import io.edgenpu.api.grpc.RepositoryModelUnloadResponse;
import io.edgenpu.api.grpc.ServerLiveRequest;
import io.edgenpu.api.grpc.ServerLiveResponse;
import io.edgenpu.api.grpc.ServerMetadataRequest;
import io.edgenpu.api.grpc.ServerMetadataResponse;
import io.edgenpu.api.grpc.ServerReadyRequest;
import io.edgenpu.api.grpc.ServerReadyResponse;
import io.edgenpu.api.grpc.StatisticDuration;
import io.edgenpu.repository.TensorSpec;
import io.edgenpu.service.backend.ModelInstance;
import io.edgenpu.service.config.EdgeNpuProperties;
import io.edgenpu.service.config.ServerState;
import io.edgenpu.service.inference.Caller;
import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.InferenceRequest;
import io.edgenpu.service.inference.InferenceService;
import io.edgenpu.service.inference.ModelStats;
import io.edgenpu.service.inference.Status;
import io.edgenpu.service.repository.ModelEntry;
import io.edgenpu.service.repository.ModelRepository;
import io.edgenpu.service.repository.ModelState;
import io.edgenpu.service.repository.ModelVersion;
import io.edgenpu.service.security.GrpcAuthInterceptor;
import io.edgenpu.service.security.StreamPermits;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The Open Inference Protocol gRPC service ({@code inference.GRPCInferenceService}) with Triton's
 * statistics and repository RPCs. ModelInfer never blocks the gRPC thread: it completes from the
 * device's scheduler; the gRPC deadline becomes the request's deadline and a client cancel cancels
 * it. Repository load/unload (blocking) runs on a separate executor.
 */
public final class OipGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
  private static final System.Logger LOG = System.getLogger(OipGrpcService.class.getName());

  private final InferenceService inference;
  private final ModelRepository repository;
  private final Supplier<Boolean> ready;
  private final EdgeNpuProperties props;
  private final Executor blocking;
  private final StreamPermits streams;

  public OipGrpcService(
      InferenceService inference,
      ModelRepository repository,
      Supplier<Boolean> ready,
      EdgeNpuProperties props,
      StreamPermits streams,
      Executor blocking) {
    this.streams = streams;
    this.inference = inference;
    this.repository = repository;
    this.ready = ready;
    this.props = props;
    this.blocking = blocking;
  }

  @Override
  public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
    reply(out, ServerLiveResponse.newBuilder().setLive(true).build());
  }

  @Override
  public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
    reply(out, ServerReadyResponse.newBuilder().setReady(ready.get()).build());
  }

  @Override
  public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
    guard(
        out,
        () -> {
          ModelEntry e = repository.entry(request.getName());
          if (e == null) {
            throw InferenceException.notFound("unknown model '" + request.getName() + "'");
          }
          boolean ok;
          try {
            repository.resolve(request.getName(), request.getVersion());
            ok = true;
          } catch (InferenceException ex) {
            if (ex.status() == Status.NOT_FOUND && e.state() == ModelState.READY) {
              throw ex;
            }
            ok = false;
          }
          return ModelReadyResponse.newBuilder().setReady(ok).build();
        });
  }

  @Override
  public void serverMetadata(
      ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
    reply(
        out,
        ServerMetadataResponse.newBuilder()
            .setName(ServerState.NAME)
            .setVersion(ServerState.VERSION)
            .addAllExtensions(
                List.of("model_repository", "statistics", "schedule_policy", "early_exit"))
            .build());
  }

  @Override
  public void modelMetadata(
      ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
    guard(
        out,
        () -> {
          ModelVersion v = repository.resolve(request.getName(), request.getVersion());
          ModelInstance m = v.instance();
          ModelMetadataResponse.Builder b =
              ModelMetadataResponse.newBuilder()
                  .setName(request.getName())
                  .setPlatform(
                      m.config().isEarlyExit() ? "edgenpu_early_exit" : "onnxruntime_onnx");
          for (Long ver :
              Objects.requireNonNull(repository.entry(request.getName())).versions().keySet()) {
            b.addVersions(Long.toString(ver));
          }
          for (TensorSpec s : m.inputs()) {
            b.addInputs(tensor(s));
          }
          for (TensorSpec s : m.outputs()) {
            b.addOutputs(tensor(s));
          }
          return b.build();
        });
  }

  private static ModelMetadataResponse.TensorMetadata tensor(TensorSpec s) {
    ModelMetadataResponse.TensorMetadata.Builder t =
        ModelMetadataResponse.TensorMetadata.newBuilder()
            .setName(s.name())
            .setDatatype(s.dataType().wireName());
    for (long d : s.batchedShape()) {
      t.addShape(d);
    }
    return t.build();
  }

  @Override
  public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
    InferenceRequest ir;
    try {
      Deadline deadline = Context.current().getDeadline();
      long deadlineNanos =
          deadline == null
              ? 0
              : System.nanoTime() + Math.max(1, deadline.timeRemaining(TimeUnit.NANOSECONDS));
      ir = GrpcCodec.decode(request, deadlineNanos, props.limits().maxTensorElements());
    } catch (RuntimeException e) {
      out.onError(toStatus(e));
      return;
    }
    InferenceService.Call call = inference.infer(ir, GrpcAuthInterceptor.CALLER.get());
    if (out instanceof ServerCallStreamObserver<ModelInferResponse> server) {
      server.setOnCancelHandler(call::cancel);
    }
    CompletableFuture<?> unused =
        call.result()
            .whenComplete(
                (result, failure) -> {
                  if (failure != null) {
                    out.onError(toStatus(failure));
                    return;
                  }
                  try {
                    out.onNext(GrpcCodec.encode(result));
                    out.onCompleted();
                  } catch (RuntimeException e) {
                    // The call was cancelled or already closed: nothing left to answer.
                  }
                });
  }

  /**
   * Bidirectional streaming inference (Triton's ModelStreamInfer); see {@link StreamInferCall}. At
   * most {@code edgenpu.limits.max-streams} streams are open at once (more are RESOURCE_EXHAUSTED).
   */
  @Override
  public StreamObserver<ModelInferRequest> modelStreamInfer(
      StreamObserver<ModelStreamInferResponse> out) {
    var server = (ServerCallStreamObserver<ModelStreamInferResponse>) out;
    Caller caller = GrpcAuthInterceptor.CALLER.get();
    StreamPermits.Permit permit;
    try {
      permit = streams.acquire(caller);
    } catch (InferenceException e) {
      out.onError(
          io.grpc.Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException());
      return new StreamObserver<>() {
        @Override
        public void onNext(ModelInferRequest value) {}

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
      };
    }
    return new StreamInferCall(
        inference,
        server,
        props.limits().maxStreamInFlight(),
        props.limits().maxTensorElements(),
        caller,
        permit::close);
  }

  /** Streams open now (gRPC and WebSocket). */
  public int openStreams() {
    return streams.open();
  }

  @Override
  public void modelStatistics(
      ModelStatisticsRequest request, StreamObserver<ModelStatisticsResponse> out) {
    guard(
        out,
        () -> {
          ModelStatisticsResponse.Builder b = ModelStatisticsResponse.newBuilder();
          if (request.getName().isEmpty()) {
            for (ModelEntry e : repository.entries()) {
              for (ModelVersion v : e.versions().values()) {
                b.addModelStats(stats(e.name(), v));
              }
            }
          } else {
            ModelEntry e = repository.entry(request.getName());
            if (e == null) {
              throw InferenceException.notFound("unknown model '" + request.getName() + "'");
            }
            if (request.getVersion().isEmpty()) {
              for (ModelVersion v : e.versions().values()) {
                b.addModelStats(stats(e.name(), v));
              }
            } else {
              b.addModelStats(
                  stats(e.name(), repository.resolve(request.getName(), request.getVersion())));
            }
          }
          return b.build();
        });
  }

  private static ModelStatistics stats(String name, ModelVersion v) {
    ModelStats s = v.stats();
    ModelStatistics.Builder b =
        ModelStatistics.newBuilder()
            .setName(name)
            .setVersion(Long.toString(v.version()))
            .setLastInference(s.lastInferenceMillis())
            .setInferenceCount(s.inferenceCount())
            .setExecutionCount(s.executionCount())
            .setInferenceStats(
                InferStatistics.newBuilder()
                    .setSuccess(duration(s.success))
                    .setFail(duration(s.fail))
                    .setQueue(duration(s.queue))
                    .setComputeInput(duration(s.computeInput))
                    .setComputeInfer(duration(s.computeInfer))
                    .setComputeOutput(duration(s.computeOutput)));
    for (Map.Entry<Integer, ModelStats.BatchStats> e : s.batchStats().entrySet()) {
      b.addBatchStats(
          InferBatchStatistics.newBuilder()
              .setBatchSize(e.getKey())
              .setComputeInfer(duration(e.getValue().computeInfer)));
    }
    return b.build();
  }

  private static StatisticDuration duration(ModelStats.Duration d) {
    return StatisticDuration.newBuilder().setCount(d.count()).setNs(d.nanos()).build();
  }

  @Override
  public void repositoryIndex(
      RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> out) {
    guard(
        out,
        () -> {
          RepositoryIndexResponse.Builder b = RepositoryIndexResponse.newBuilder();
          for (ModelEntry e : repository.entries()) {
            if (e.versions().isEmpty()) {
              if (!request.getReady()) {
                b.addModels(
                    RepositoryIndexResponse.ModelIndex.newBuilder()
                        .setName(e.name())
                        .setState(e.state().name())
                        .setReason(e.reason()));
              }
              continue;
            }
            for (Long v : e.versions().keySet()) {
              if (!request.getReady() || e.state() == ModelState.READY) {
                b.addModels(
                    RepositoryIndexResponse.ModelIndex.newBuilder()
                        .setName(e.name())
                        .setVersion(Long.toString(v))
                        .setState(e.state().name())
                        .setReason(e.reason()));
              }
            }
          }
          if (!request.getReady()) {
            try {
              for (String n : repository.unloadedFolders()) {
                b.addModels(
                    RepositoryIndexResponse.ModelIndex.newBuilder()
                        .setName(n)
                        .setState(ModelState.UNAVAILABLE.name())
                        .setReason("not loaded"));
              }
            } catch (IOException ex) {
              throw new InferenceException(Status.INTERNAL, "cannot list the model repository");
            }
          }
          return b.build();
        });
  }

  @Override
  public void repositoryModelLoad(
      RepositoryModelLoadRequest request, StreamObserver<RepositoryModelLoadResponse> out) {
    if (request.getParametersCount() > 0) {
      out.onError(
          toStatus(
              InferenceException.invalid(
                  "unsupported parameters "
                      + request.getParametersMap().keySet()
                      + " (configuration overrides are not supported; edit config.yaml)")));
      return;
    }
    runBlocking(
        out,
        () -> {
          repository.load(request.getModelName());
          return RepositoryModelLoadResponse.getDefaultInstance();
        });
  }

  @Override
  public void repositoryModelUnload(
      RepositoryModelUnloadRequest request, StreamObserver<RepositoryModelUnloadResponse> out) {
    runBlocking(
        out,
        () -> {
          repository.unload(request.getModelName());
          return RepositoryModelUnloadResponse.getDefaultInstance();
        });
  }

  private <T> void runBlocking(StreamObserver<T> out, Supplier<T> work) {
    try {
      blocking.execute(() -> guard(out, work));
    } catch (RuntimeException e) {
      out.onError(toStatus(new InferenceException(Status.UNAVAILABLE, "server is busy")));
    }
  }

  private static <T> void reply(StreamObserver<T> out, T value) {
    out.onNext(value);
    out.onCompleted();
  }

  private static <T> void guard(StreamObserver<T> out, Supplier<T> body) {
    T value;
    try {
      value = body.get();
    } catch (RuntimeException e) {
      out.onError(toStatus(e));
      return;
    }
    reply(out, value);
  }

  /** Maps a failure to a gRPC status (see the README's error table). */
  static StatusRuntimeException toStatus(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof InferenceException e) {
      io.grpc.Status s =
          switch (e.status()) {
            case INVALID_ARGUMENT, UNSUPPORTED_MEDIA_TYPE -> io.grpc.Status.INVALID_ARGUMENT;
            case NOT_FOUND -> io.grpc.Status.NOT_FOUND;
            case PAYLOAD_TOO_LARGE, RESOURCE_EXHAUSTED -> io.grpc.Status.RESOURCE_EXHAUSTED;
            case UNAVAILABLE -> io.grpc.Status.UNAVAILABLE;
            case DEADLINE_EXCEEDED -> io.grpc.Status.DEADLINE_EXCEEDED;
            case CANCELLED -> io.grpc.Status.CANCELLED;
            case UNAUTHENTICATED -> io.grpc.Status.UNAUTHENTICATED;
            case PERMISSION_DENIED -> io.grpc.Status.PERMISSION_DENIED;
            case INTERNAL -> io.grpc.Status.INTERNAL;
          };
      return s.withDescription(e.getMessage()).asRuntimeException();
    }
    LOG.log(System.Logger.Level.ERROR, "unexpected error in a gRPC call", cause);
    return io.grpc.Status.INTERNAL
        .withDescription("internal error: " + cause.getClass().getSimpleName())
        .asRuntimeException();
  }
}
