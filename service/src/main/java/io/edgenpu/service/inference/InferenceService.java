package io.edgenpu.service.inference;

import io.edgenpu.api.tensor.DataType;
import io.edgenpu.api.tensor.Shapes;
import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.scheduler.core.FailureReason;
import io.edgenpu.scheduler.core.Request;
import io.edgenpu.scheduler.core.RequestListener;
import io.edgenpu.scheduler.core.Sample;
import io.edgenpu.service.backend.ModelInstance;
import io.edgenpu.service.backend.SampleState;
import io.edgenpu.service.repository.ModelRepository;
import io.edgenpu.service.repository.ModelVersion;
import io.edgenpu.repository.TensorSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The protocol-independent inference path shared by the REST and gRPC gateways: resolve the model version,
 * validate the inputs against its signature, split the request into samples, hand it to the device's
 * scheduler, and assemble the answer. Never blocks; thread-safe.
 */
public final class InferenceService {
  private final ModelRepository repository;
  private final Limits limits;
  private final RequestLog requestLog;
  private final io.edgenpu.service.clients.ClientPolicy clients;
  private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean draining;
  private final Executor assembly;
  private final AtomicLong ids = new AtomicLong();

  /**
   * Per-request limits.
   *
   * @param maxRequestBatch most batch rows (samples) in one request
   * @param maxTensorElements most elements in one input tensor
   * @param maxBytesElementLength most bytes in one BYTES element
   */
  public record Limits(int maxRequestBatch, long maxTensorElements, int maxBytesElementLength) {}

  /** A request handed to a scheduler: its eventual answer, and a way to cancel it. */
  public interface Call {
    CompletableFuture<InferenceResult> result();

    /** Cancels the request (idempotent); a request already answered is unaffected. */
    void cancel();
  }

  /** @param assembly where answers are assembled (off the device loops) */
  public InferenceService(ModelRepository repository, Limits limits, Executor assembly) {
    this(repository, limits, assembly, new RequestLog(false), io.edgenpu.service.clients.ClientPolicy.permissive());
  }

  public InferenceService(ModelRepository repository, Limits limits, Executor assembly, RequestLog requestLog,
      io.edgenpu.service.clients.ClientPolicy clients) {
    this.requestLog = requestLog;
    this.clients = clients;
    this.repository = repository;
    this.limits = limits;
    this.assembly = assembly;
  }

  /** Submits a request of an unauthenticated caller (security off). */
  public Call infer(InferenceRequest req) {
    return infer(req, Caller.ANONYMOUS);
  }

  /**
   * Submits a request. Validation errors complete the call exceptionally at once with {@link InferenceException}.
   * The client device is the authenticated caller, else the request's {@code client_id} parameter.
   */
  public Call infer(InferenceRequest req, Caller caller) {
    try {
      return submit(req, caller);
    } catch (InferenceException e) {
      return failed(e);
    }
  }

  private static Call failed(InferenceException e) {
    CompletableFuture<InferenceResult> f = CompletableFuture.failedFuture(e);
    return new Call() {
      @Override
      public CompletableFuture<InferenceResult> result() {
        return f;
      }

      @Override
      public void cancel() {}
    };
  }

  /** Stops admitting requests (each new one gets UNAVAILABLE); those already accepted run to completion. */
  public void startDraining() {
    draining = true;
  }

  /** Admits requests again (after a drain that did not end in shutdown). */
  public void resumeAdmitting() {
    draining = false;
  }

  /** Requests accepted and not yet answered. */
  public int inFlight() {
    return inFlight.get();
  }

  private Call submit(InferenceRequest req, Caller caller) {
    if (draining) {
      throw new InferenceException(Status.UNAVAILABLE, "server is shutting down", Duration.ofSeconds(1));
    }
    ModelVersion mv = repository.resolve(req.model(), req.version());
    ModelInstance model = mv.instance();
    RequestParameters params = RequestParameters.parse(req.parameters());
    int batch = validateInputs(model, req);
    List<TensorSpec> outputs = selectOutputs(model, req);
    if (!Double.isNaN(params.exitThreshold()) && !model.config().isEarlyExit()) {
      throw InferenceException.invalid("parameter 'exit_threshold' applies to early-exit models only");
    }
    long arrival = System.nanoTime();
    long deadline = Request.NO_DEADLINE;
    if (params.timeoutMicros() > 0) {
      deadline = arrival + params.timeoutMicros() * 1_000;
    } else if (!model.config().slo().isZero()) {
      deadline = arrival + model.config().slo().toNanos();
    }
    if (req.deadlineNanos() != 0) {
      deadline = Math.min(deadline, req.deadlineNanos());
    }
    // A NAWQ-SR model's samples are the tiles of its images; other models' are the request's rows.
    io.edgenpu.service.nawq.SrRequests.Job tiles = model.srEngine() == null ? null
        : io.edgenpu.service.nawq.SrRequests.plan(model.srEngine(), req.inputs().get(0).tensor(), req.parameters());
    List<Map<String, Tensor>> perSample = tiles == null ? split(req.inputs(), batch) : List.of();
    CompletableFuture<InferenceResult> future = new CompletableFuture<>();
    io.edgenpu.service.device.GuardedAccelerator guard = mv.device().guard();
    io.edgenpu.scheduler.core.DeviceUnavailableException cutOff = guard == null ? null : guard.refusal();
    if (cutOff != null) {
      throw new InferenceException(Status.UNAVAILABLE, cutOff.getMessage(),
          Duration.ofNanos(Math.max(1_000_000_000L, cutOff.retryAfterNanos())));
    }
    io.edgenpu.service.clients.ClientPolicy.Client client =
        clients.client(caller.authenticated() ? caller.device() : params.clientId());
    if (!mv.enter()) {
      throw new InferenceException(Status.UNAVAILABLE, "model '" + req.model() + "' is being unloaded", Duration.ofSeconds(1));
    }
    try {
      client.admit();
    } catch (InferenceException e) {
      mv.exit();
      throw e;
    }
    inFlight.incrementAndGet();
    String id = req.id() == null ? "" : req.id();
    RequestTimeline timeline = params.timeline() ? new RequestTimeline(arrival) : null;
    Request request = Request.builder(model.key(), new Listener(mv, future, outputs, id, client, tiles))
        .attachment(timeline)
        .id(ids.incrementAndGet())
        .arrivalNanos(arrival)
        .deadlineNanos(deadline)
        .priority(params.priority())
        .clientId(client.id())
        .weight(client.weight())
        .samples(tiles == null ? batch : tiles.samples().size(),
            i -> tiles == null ? new SampleState(perSample.get(i), params.exitThreshold()) : tiles.samples().get(i))
        .build();
    mv.device().scheduler().submit(request);
    return new Call() {
      @Override
      public CompletableFuture<InferenceResult> result() {
        return future;
      }

      @Override
      public void cancel() {
        mv.device().scheduler().cancel(request);
      }
    };
  }

  /** Checks inputs against the model's signature; returns the batch size (rows). */
  private int validateInputs(ModelInstance model, InferenceRequest req) {
    Map<String, TensorSpec> specs = new LinkedHashMap<>();
    for (TensorSpec s : model.inputs()) {
      specs.put(s.name(), s);
    }
    Set<String> seen = new HashSet<>();
    int batch = -1;
    for (NamedTensor in : req.inputs()) {
      TensorSpec spec = specs.get(in.name());
      if (spec == null) {
        throw InferenceException.invalid("unexpected input '" + in.name() + "' for model '" + req.model()
            + "'; inputs: " + specs.keySet());
      }
      if (!seen.add(in.name())) {
        throw InferenceException.invalid("input '" + in.name() + "' given more than once");
      }
      Tensor t = in.tensor();
      if (t.dataType() != spec.dataType()) {
        throw InferenceException.invalid("input '" + in.name() + "' must be " + spec.dataType() + ", got " + t.dataType());
      }
      long[] shape = t.shape();
      if (shape.length != spec.shape().length + 1) {
        throw InferenceException.invalid("input '" + in.name() + "' must have shape " + Shapes.toString(spec.batchedShape())
            + " (batch first), got " + Shapes.toString(shape));
      }
      long[] perSample = java.util.Arrays.copyOfRange(shape, 1, shape.length);
      if (!Shapes.matches(spec.shape(), perSample)) {
        throw InferenceException.invalid("input '" + in.name() + "' must have shape " + Shapes.toString(spec.batchedShape())
            + ", got " + Shapes.toString(shape));
      }
      if (shape[0] < 1 || shape[0] > limits.maxRequestBatch()) {
        throw InferenceException.invalid("input '" + in.name() + "' has batch size " + shape[0] + "; allowed 1.." + limits.maxRequestBatch());
      }
      if (t.elementCount() > limits.maxTensorElements()) {
        throw new InferenceException(Status.PAYLOAD_TOO_LARGE, "input '" + in.name() + "' has " + t.elementCount()
            + " elements; the limit is " + limits.maxTensorElements());
      }
      if (t.dataType() == DataType.BYTES) {
        for (byte[] e : t.bytesElements()) {
          if (e.length > limits.maxBytesElementLength()) {
            throw new InferenceException(Status.PAYLOAD_TOO_LARGE, "input '" + in.name() + "' has a BYTES element of "
                + e.length + " bytes; the limit is " + limits.maxBytesElementLength());
          }
        }
      }
      if (batch >= 0 && shape[0] != batch) {
        throw InferenceException.invalid("inputs disagree on the batch size: " + batch + " vs " + shape[0]);
      }
      batch = (int) shape[0];
    }
    for (String name : specs.keySet()) {
      if (!seen.contains(name)) {
        throw InferenceException.invalid("missing input '" + name + "' for model '" + req.model() + "'");
      }
    }
    return batch;
  }

  private static List<TensorSpec> selectOutputs(ModelInstance model, InferenceRequest req) {
    if (req.outputs().isEmpty()) {
      return model.outputs();
    }
    Map<String, TensorSpec> byName = new HashMap<>();
    for (TensorSpec s : model.outputs()) {
      byName.put(s.name(), s);
    }
    List<TensorSpec> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (RequestedOutput o : req.outputs()) {
      TensorSpec s = byName.get(o.name());
      if (s == null) {
        throw InferenceException.invalid("unknown output '" + o.name() + "' requested; outputs: " + byName.keySet());
      }
      if (!seen.add(o.name())) {
        throw InferenceException.invalid("output '" + o.name() + "' requested more than once");
      }
      out.add(s);
    }
    return out;
  }

  private static List<Map<String, Tensor>> split(List<NamedTensor> inputs, int batch) {
    List<Map<String, Tensor>> out = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      Map<String, Tensor> m = new HashMap<>();
      for (NamedTensor in : inputs) {
        m.put(in.name(), batch == 1 ? in.tensor() : in.tensor().sliceRows(i, i + 1));
      }
      out.add(m);
    }
    return out;
  }

  /** Completes the caller's future from the device loop; assembly happens on the assembly executor. */
  private final class Listener implements RequestListener {
    private final ModelVersion version;
    private final CompletableFuture<InferenceResult> future;
    private final List<TensorSpec> outputs;
    private final String id;
    private final io.edgenpu.service.clients.ClientPolicy.Client client;
    private final io.edgenpu.service.nawq.SrRequests.Job tiles;

    Listener(ModelVersion version, CompletableFuture<InferenceResult> future, List<TensorSpec> outputs, String id,
        io.edgenpu.service.clients.ClientPolicy.Client client, io.edgenpu.service.nawq.SrRequests.Job tiles) {
      this.client = client;
      this.tiles = tiles;
      this.version = version;
      this.future = future;
      this.outputs = outputs;
      this.id = id;
    }

    @Override
    public void onCompleted(Request r) {
      long done = r.completedNanos();
      long firstStart = Long.MAX_VALUE;
      for (Sample s : r.samples()) {
        firstStart = Math.min(firstStart, s.firstStartNanos());
      }
      version.stats().recordSuccess(tiles == null ? r.sampleCount() : tiles.images(), done - r.arrivalNanos(), firstStart - r.arrivalNanos(), done - firstStart);
      requestLog.completed(r, id, firstStart - r.arrivalNanos(), done - r.arrivalNanos());
      version.exit();
      inFlight.decrementAndGet();
      client.done("success", r.hasDeadline() ? done <= r.deadlineNanos() : null);
      assembly.execute(() -> {
        try {
          future.complete(assemble(r));
        } catch (RuntimeException e) {
          future.completeExceptionally(new InferenceException(Status.INTERNAL, "could not assemble the response: " + e.getMessage()));
        }
      });
    }

    @Override
    public void onFailed(Request r, FailureReason reason, String message) {
      long elapsed = System.nanoTime() - r.arrivalNanos();
      version.stats().recordFailure(elapsed);
      requestLog.failed(r, id, reason, message, elapsed);
      version.exit();
      inFlight.decrementAndGet();
      client.done(outcomeTag(reason), r.hasDeadline() ? Boolean.FALSE : null);
      future.completeExceptionally(toException(reason, message));
    }

    private InferenceResult assemble(Request r) {
      List<NamedTensor> out = new ArrayList<>(outputs.size());
      Map<String, Object> parameters = new java.util.LinkedHashMap<>();
      if (tiles != null) {
        out.add(new NamedTensor(outputs.get(0).name(), tiles.assemble()));
        parameters.putAll(tiles.parameters());
      }
      for (TensorSpec spec : tiles == null ? outputs : List.<TensorSpec>of()) {
        List<Tensor> rows = new ArrayList<>(r.sampleCount());
        for (Sample s : r.samples()) {
          Tensor t = ((SampleState) s.state()).outputs().get(spec.name());
          if (t == null) {
            throw new IllegalStateException("sample produced no output '" + spec.name() + "'");
          }
          rows.add(t);
        }
        out.add(new NamedTensor(spec.name(), Tensor.concatRows(rows)));
      }
      ModelInstance m = version.instance();
      if (r.attachment() instanceof RequestTimeline t) {
        t.add(System.nanoTime(), "response", Map.of());
        parameters.put(RequestParameters.TIMELINE, t.toJson());
      }
      return new InferenceResult(m.config().name(), Long.toString(m.version()), id, out, parameters);
    }
  }

  /** The {@code outcome} tag of a client's failed request. */
  private static String outcomeTag(FailureReason reason) {
    return switch (reason) {
      case REJECTED -> "refused";
      case QUEUE_TIMEOUT, DEADLINE_EXCEEDED -> "deadline";
      case CANCELLED -> "cancelled";
      case BACKEND -> "error";
      case UNAVAILABLE -> "unavailable";
    };
  }

  static InferenceException toException(FailureReason reason, String message) {
    return switch (reason) {
      case REJECTED -> new InferenceException(Status.RESOURCE_EXHAUSTED, message, Duration.ofSeconds(1));
      case QUEUE_TIMEOUT, DEADLINE_EXCEEDED -> new InferenceException(Status.DEADLINE_EXCEEDED, message);
      case CANCELLED -> new InferenceException(Status.CANCELLED, message);
      case BACKEND -> new InferenceException(Status.INTERNAL, message);
      case UNAVAILABLE -> new InferenceException(Status.UNAVAILABLE, message, Duration.ofSeconds(1));
    };
  }
}
