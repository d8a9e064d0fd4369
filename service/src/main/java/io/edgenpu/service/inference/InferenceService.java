package io.edgenpu.service.inference;

import io.edgenpu.api.tensor.DataType;
import io.edgenpu.api.tensor.Shapes;
import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.repository.TensorSpec;
import io.edgenpu.scheduler.core.DeviceScheduler;
import io.edgenpu.scheduler.core.DeviceUnavailableException;
import io.edgenpu.scheduler.core.FailureReason;
import io.edgenpu.scheduler.core.Request;
import io.edgenpu.scheduler.core.RequestListener;
import io.edgenpu.scheduler.core.Sample;
import io.edgenpu.service.backend.BadInputException;
import io.edgenpu.service.backend.EarlyExitModel;
import io.edgenpu.service.backend.ModelInstance;
import io.edgenpu.service.backend.PreparedRequest;
import io.edgenpu.service.clients.ClientPolicy;
import io.edgenpu.service.device.GuardedAccelerator;
import io.edgenpu.service.repository.ModelRepository;
import io.edgenpu.service.repository.ModelVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The protocol-independent inference path shared by the REST, gRPC and WebSocket gateways: resolve
 * the model version, validate the inputs against its signature, let the model kind turn them into
 * scheduler samples, hand the request to the device's scheduler, and assemble the answer. Never
 * blocks; thread-safe.
 *
 * <p>Every request it accepts is answered exactly once ({@link Call#result()} completes once): by
 * the scheduler (result or failure) or, should that path ever lose it, by the {@link
 * AnswerWatchdog}. The accounting of a request (its model version's in-flight count, its client's
 * slot, the server's in-flight count) is taken only once the request is fully built and given back
 * exactly once, when it is answered.
 */
public final class InferenceService {
  private final ModelRepository repository;
  private final Limits limits;
  private final RequestLog requestLog;
  private final ClientPolicy clients;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean draining;
  private final Executor assembly;
  private final AnswerWatchdog watchdog;
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
    /**
     * Completes exactly once: with the result, or exceptionally with an {@link InferenceException}.
     */
    CompletableFuture<InferenceResult> result();

    /** Cancels the request (idempotent); a request already answered is unaffected. */
    void cancel();
  }

  /**
   * @param assembly where large answers are assembled (small ones are assembled where the request
   *     completes)
   * @param watchdog answers what the device path loses; the service does not close it
   */
  public InferenceService(
      ModelRepository repository,
      Limits limits,
      Executor assembly,
      RequestLog requestLog,
      ClientPolicy clients,
      AnswerWatchdog watchdog) {
    this.requestLog = requestLog;
    this.clients = clients;
    this.repository = repository;
    this.limits = limits;
    this.assembly = assembly;
    this.watchdog = watchdog;
  }

  /** Submits a request of an unauthenticated caller (security off). */
  public Call infer(InferenceRequest req) {
    return infer(req, Caller.ANONYMOUS);
  }

  /**
   * Submits a request. Validation errors complete the call exceptionally at once with {@link
   * InferenceException}. The client device is the authenticated caller, else the request's {@code
   * client_id} parameter.
   */
  public Call infer(InferenceRequest req, Caller caller) {
    try {
      return submit(req, caller);
    } catch (InferenceException e) {
      return failed(e);
    } catch (BadInputException e) {
      return failed(
          e.tooLarge()
              ? new InferenceException(Status.PAYLOAD_TOO_LARGE, String.valueOf(e.getMessage()))
              : InferenceException.invalid(String.valueOf(e.getMessage())));
    } catch (IllegalArgumentException | ArithmeticException | IndexOutOfBoundsException e) {
      return failed(InferenceException.invalid("invalid request: " + e.getMessage()));
    } catch (RuntimeException e) {
      return failed(
          new InferenceException(
              Status.INTERNAL,
              "internal error while accepting the request: " + e.getClass().getSimpleName()));
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

  /**
   * Stops admitting requests (each new one gets UNAVAILABLE); those already accepted run to
   * completion.
   */
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
      throw new InferenceException(
          Status.UNAVAILABLE, "server is shutting down", Duration.ofSeconds(1));
    }
    ModelVersion mv = repository.resolve(req.model(), req.version());
    ModelInstance model = mv.instance();
    RequestParameters params = RequestParameters.parse(req.parameters());
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    int batch = validateInputs(model, req, inputs);
    List<TensorSpec> outputs = selectOutputs(model, req);
    if (!Double.isNaN(params.exitThreshold()) && !(model instanceof EarlyExitModel)) {
      throw InferenceException.invalid(
          "parameter 'exit_threshold' applies to early-exit models only");
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
    PreparedRequest prepared =
        model.prepare(inputs, batch, req.parameters(), params.exitThreshold());
    GuardedAccelerator guard = mv.device().guard();
    DeviceUnavailableException cutOff = guard == null ? null : guard.refusal();
    if (cutOff != null) {
      throw new InferenceException(
          Status.UNAVAILABLE,
          String.valueOf(cutOff.getMessage()),
          Duration.ofNanos(Math.max(1_000_000_000L, cutOff.retryAfterNanos())));
    }
    ClientPolicy.Client client =
        clients.client(caller.authenticated() ? caller.device() : params.clientId());
    String id = req.id() == null ? "" : req.id();
    RequestTimeline timeline = params.timeline() ? new RequestTimeline(arrival) : null;
    Answer answer = new Answer(mv, outputs, id, client, prepared);
    Request request =
        Request.builder(model.key(), answer)
            .attachment(timeline)
            .id(ids.incrementAndGet())
            .arrivalNanos(arrival)
            .deadlineNanos(deadline)
            .priority(params.priority())
            .clientId(client.id())
            .weight(client.weight())
            .samples(prepared.samples().size(), i -> prepared.samples().get(i))
            .build();
    answer.bind(request, mv.device().scheduler());
    // Accounting last: nothing below can fail without giving it back.
    if (!mv.enter()) {
      throw new InferenceException(
          Status.UNAVAILABLE,
          "model '" + req.model() + "' is being unloaded",
          Duration.ofSeconds(1));
    }
    try {
      client.admit();
    } catch (RuntimeException e) {
      mv.exit();
      throw e;
    }
    inFlight.incrementAndGet();
    answer.accepted();
    try {
      mv.device().scheduler().submit(request);
    } catch (RuntimeException e) {
      answer.fail(
          new InferenceException(
              Status.INTERNAL, "the device did not take the request: " + e.getMessage()),
          "error");
    }
    return answer;
  }

  /**
   * Checks inputs against the model's signature and collects them by name; returns the batch size
   * (rows).
   */
  private int validateInputs(
      ModelInstance model, InferenceRequest req, Map<String, Tensor> byName) {
    Map<String, TensorSpec> specs = new LinkedHashMap<>();
    for (TensorSpec s : model.inputs()) {
      specs.put(s.name(), s);
    }
    int batch = -1;
    for (NamedTensor in : req.inputs()) {
      TensorSpec spec = specs.get(in.name());
      if (spec == null) {
        throw InferenceException.invalid(
            "unexpected input '"
                + in.name()
                + "' for model '"
                + req.model()
                + "'; inputs: "
                + specs.keySet());
      }
      if (byName.containsKey(in.name())) {
        throw InferenceException.invalid("input '" + in.name() + "' given more than once");
      }
      Tensor t = in.tensor();
      if (t.dataType() != spec.dataType()) {
        throw InferenceException.invalid(
            "input '" + in.name() + "' must be " + spec.dataType() + ", got " + t.dataType());
      }
      long[] shape = t.shape();
      if (shape.length != spec.shape().length + 1) {
        throw InferenceException.invalid(
            "input '"
                + in.name()
                + "' must have shape "
                + Shapes.toString(spec.batchedShape())
                + " (batch first), got "
                + Shapes.toString(shape));
      }
      long[] perSample = Arrays.copyOfRange(shape, 1, shape.length);
      if (!Shapes.matches(spec.shape(), perSample)) {
        throw InferenceException.invalid(
            "input '"
                + in.name()
                + "' must have shape "
                + Shapes.toString(spec.batchedShape())
                + ", got "
                + Shapes.toString(shape));
      }
      if (shape[0] < 1 || shape[0] > limits.maxRequestBatch()) {
        throw InferenceException.invalid(
            "input '"
                + in.name()
                + "' has batch size "
                + shape[0]
                + "; allowed 1.."
                + limits.maxRequestBatch());
      }
      if (t.elementCount() > limits.maxTensorElements()) {
        throw new InferenceException(
            Status.PAYLOAD_TOO_LARGE,
            "input '"
                + in.name()
                + "' has "
                + t.elementCount()
                + " elements; the limit is "
                + limits.maxTensorElements());
      }
      if (t.dataType() == DataType.BYTES) {
        for (byte[] e : t.bytesElements()) {
          if (e.length > limits.maxBytesElementLength()) {
            throw new InferenceException(
                Status.PAYLOAD_TOO_LARGE,
                "input '"
                    + in.name()
                    + "' has a BYTES element of "
                    + e.length
                    + " bytes; the limit is "
                    + limits.maxBytesElementLength());
          }
        }
      }
      if (batch >= 0 && shape[0] != batch) {
        throw InferenceException.invalid(
            "inputs disagree on the batch size: " + batch + " vs " + shape[0]);
      }
      batch = (int) shape[0];
      byName.put(in.name(), t);
    }
    for (String name : specs.keySet()) {
      if (!byName.containsKey(name)) {
        throw InferenceException.invalid(
            "missing input '" + name + "' for model '" + req.model() + "'");
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
        throw InferenceException.invalid(
            "unknown output '" + o.name() + "' requested; outputs: " + byName.keySet());
      }
      if (!seen.add(o.name())) {
        throw InferenceException.invalid("output '" + o.name() + "' requested more than once");
      }
      out.add(s);
    }
    return out;
  }

  /**
   * One accepted request's answer: the scheduler's listener (called on the device loop), the
   * watchdog's target and the caller's {@link Call}. Whichever answers first wins; the accounting
   * is given back once.
   */
  private final class Answer extends CompletableFuture<InferenceResult>
      implements RequestListener, Call, AnswerWatchdog.Watched {
    private final ModelVersion version;
    private final List<TensorSpec> outputs;
    private final String id;
    private final ClientPolicy.Client client;
    private final PreparedRequest prepared;
    private final AtomicBoolean settled = new AtomicBoolean();

    /** Set once by {@link #bind}, before the request is submitted. */
    private @Nullable Request request;

    private @Nullable DeviceScheduler scheduler;
    private long watchKey = -1;

    Answer(
        ModelVersion version,
        List<TensorSpec> outputs,
        String id,
        ClientPolicy.Client client,
        PreparedRequest prepared) {
      this.version = version;
      this.outputs = outputs;
      this.id = id;
      this.client = client;
      this.prepared = prepared;
    }

    void bind(Request request, DeviceScheduler scheduler) {
      this.request = request;
      this.scheduler = scheduler;
    }

    private Request request() {
      return Objects.requireNonNull(request, "the answer is not bound to a request yet");
    }

    private DeviceScheduler scheduler() {
      return Objects.requireNonNull(scheduler, "the answer is not bound to a device yet");
    }

    /** The request is counted in: watch it until it is answered. */
    void accepted() {
      watchKey = watchdog.watch(this);
    }

    @Override
    public CompletableFuture<InferenceResult> result() {
      return this;
    }

    @Override
    public void cancel() {
      scheduler().cancel(request());
    }

    @Override
    public long dueNanos() {
      return request().hasDeadline() ? request().deadlineNanos() : request().arrivalNanos();
    }

    @Override
    public boolean expire(String message) {
      boolean answered =
          fail(new InferenceException(Status.DEADLINE_EXCEEDED, message), "deadline");
      if (answered) {
        scheduler().cancel(request());
      }
      return answered;
    }

    /** Gives the accounting back; true for the first caller only. */
    private boolean settle(String outcome, @Nullable Boolean metDeadline) {
      if (!settled.compareAndSet(false, true)) {
        return false;
      }
      watchdog.unwatch(watchKey);
      version.exit();
      inFlight.decrementAndGet();
      client.done(outcome, metDeadline);
      return true;
    }

    boolean fail(InferenceException e, String outcome) {
      if (!settle(outcome, request().hasDeadline() ? Boolean.FALSE : null)) {
        return false;
      }
      long elapsed = System.nanoTime() - request().arrivalNanos();
      version.stats().recordFailure(elapsed);
      completeExceptionally(e);
      return true;
    }

    @Override
    public void onCompleted(Request r) {
      try {
        long done = r.completedNanos();
        if (!settle("success", r.hasDeadline() ? done <= r.deadlineNanos() : null)) {
          return;
        }
        long firstStart = Long.MAX_VALUE;
        for (Sample s : r.samples()) {
          firstStart = Math.min(firstStart, s.firstStartNanos());
        }
        version
            .stats()
            .recordSuccess(
                prepared.inferences(),
                done - r.arrivalNanos(),
                firstStart - r.arrivalNanos(),
                done - firstStart);
        requestLog.completed(r, id, firstStart - r.arrivalNanos(), done - r.arrivalNanos());
        if (prepared.cheapToAssemble()) {
          assembleAndComplete(r);
        } else {
          assembly.execute(() -> assembleAndComplete(r));
        }
      } catch (RuntimeException e) {
        completeExceptionally(
            new InferenceException(Status.INTERNAL, "could not answer: " + e.getMessage()));
      }
    }

    private void assembleAndComplete(Request r) {
      try {
        complete(assemble(r));
      } catch (RuntimeException e) {
        completeExceptionally(
            new InferenceException(
                Status.INTERNAL, "could not assemble the response: " + e.getMessage()));
      }
    }

    @Override
    public void onFailed(Request r, FailureReason reason, String message) {
      try {
        if (fail(toException(reason, message), outcomeTag(reason))) {
          requestLog.failed(r, id, reason, message, System.nanoTime() - r.arrivalNanos());
        }
      } catch (RuntimeException e) {
        completeExceptionally(toException(reason, message));
      }
    }

    private InferenceResult assemble(Request r) {
      List<NamedTensor> out = new ArrayList<>(outputs.size());
      for (Map.Entry<String, Tensor> e : prepared.outputs(outputs).entrySet()) {
        out.add(new NamedTensor(e.getKey(), e.getValue()));
      }
      Map<String, Object> parameters = new LinkedHashMap<>(prepared.parameters());
      ModelInstance m = version.instance();
      if (r.attachment() instanceof RequestTimeline t) {
        t.add(System.nanoTime(), "response", Map.of());
        parameters.put(RequestParameters.TIMELINE, t.toJson());
      }
      return new InferenceResult(
          m.config().name(), Long.toString(m.version()), id, out, parameters);
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
      case REJECTED ->
          new InferenceException(Status.RESOURCE_EXHAUSTED, message, Duration.ofSeconds(1));
      case QUEUE_TIMEOUT, DEADLINE_EXCEEDED ->
          new InferenceException(Status.DEADLINE_EXCEEDED, message);
      case CANCELLED -> new InferenceException(Status.CANCELLED, message);
      case BACKEND -> new InferenceException(Status.INTERNAL, message);
      case UNAVAILABLE ->
          new InferenceException(Status.UNAVAILABLE, message, Duration.ofSeconds(1));
    };
  }
}
