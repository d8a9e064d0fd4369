package io.edgenpu.scheduler.core;

import io.edgenpu.scheduler.loop.Cancellable;
import io.edgenpu.scheduler.loop.EventLoop;
import io.edgenpu.scheduler.policy.ExitHandling;
import io.edgenpu.scheduler.policy.IdleDecision;
import io.edgenpu.scheduler.policy.RunningBatch;
import io.edgenpu.scheduler.policy.StageDecision;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The per-device scheduler: the event-driven mechanics of early-exit-aware batching, shared by the
 * live service (real-time loop) and the simulator (virtual-time loop).
 *
 * <p>A device has one or more execution slots (an NPU has one array: one slot; a CPU may run a
 * model's batches on several cores at once, as Triton's instance groups do). With one slot it keeps
 * at most one running batch and at most one suspended batch (the Fluid Batching Engine's single
 * (B_old, l_old) register pair: no nested preemption). At every stage boundary it releases exited
 * samples, drops cancelled or late ones, merges a catch-up group that reached the suspended depth,
 * and asks the model's {@link io.edgenpu.scheduler.policy.BatchPolicy} whether to preempt. When the
 * device is idle it asks each model's policy for a fresh batch and starts the most urgent one.
 *
 * <p>Threading: {@link #submit}, {@link #cancel}, {@link #register} and {@link #unregister} may be
 * called from any thread; they hand the work to the loop. Everything else runs on the loop. Time
 * comes only from the loop's clock.
 *
 * <p>Every request it takes is answered exactly once, whatever its collaborators do: listeners are
 * isolated ({@link IsolatedListeners}); a policy that throws is replaced for that decision by the
 * work-conserving default (start what is queued; never preempt); and any other exception while
 * handling an event fails the requests that event concerned (as a backend error) and leaves the
 * device free for the next batch, instead of leaving it marked busy with nothing running.
 */
public final class DeviceScheduler {
  private static final System.Logger LOG = System.getLogger(DeviceScheduler.class.getName());

  private final String deviceId;
  private final EventLoop loop;
  private final Accelerator accelerator;
  private final IsolatedListeners listener;
  private final Map<String, ModelLane> lanes = new LinkedHashMap<>();
  private final int slots;

  /** The batches on the device now, at most {@link #slots}. */
  private final List<Group> running = new ArrayList<>(2);

  private @Nullable Group suspended;
  private boolean closed;
  private Cancellable wakeTimer = Cancellable.NONE;
  private long wakeAtNanos = Long.MAX_VALUE;
  private Cancellable expiryTimer = Cancellable.NONE;
  private long expiryAtNanos = Long.MAX_VALUE;
  private volatile int queuedSamples;
  private final AtomicLong recoveredErrors = new AtomicLong();
  private volatile boolean deviceBusy;

  /** A batch on (or suspended from) the device. */
  private static final class Group {
    final ModelLane lane;
    final ArrayList<Sample> samples;
    int nextStage;
    int catchUpTarget;
    final long startedNanos;

    /** When its current stage is predicted to end (valid while it runs). */
    long stageEndNanos;

    int maxSize;
    long worstLatencyNanos;

    Group(ModelLane lane, List<Sample> samples, int catchUpTarget, long startedNanos) {
      this.lane = lane;
      this.samples = new ArrayList<>(samples);
      this.catchUpTarget = catchUpTarget;
      this.startedNanos = startedNanos;
    }

    boolean isCatchUp() {
      return catchUpTarget >= 0;
    }

    int maskedCount() {
      int m = 0;
      for (Sample s : samples) {
        if (s.isMasked()) {
          m++;
        }
      }
      return m;
    }
  }

  public DeviceScheduler(
      String deviceId,
      EventLoop loop,
      Accelerator accelerator,
      @Nullable SchedulerListener listener) {
    this(deviceId, loop, accelerator, listener, 1);
  }

  /**
   * @param slots batches that may run at once (1 for an accelerator with one compute array;
   *     preemption and catch-up merges happen only then); the accelerator must accept that many
   *     concurrent executions
   */
  public DeviceScheduler(
      String deviceId,
      EventLoop loop,
      Accelerator accelerator,
      @Nullable SchedulerListener listener,
      int slots) {
    if (slots < 1) {
      throw new IllegalArgumentException("a device needs at least one execution slot");
    }
    this.slots = slots;
    this.deviceId = Objects.requireNonNull(deviceId);
    this.loop = Objects.requireNonNull(loop);
    this.accelerator = Objects.requireNonNull(accelerator);
    this.listener =
        listener instanceof IsolatedListeners isolated
            ? isolated
            : IsolatedListeners.of(listener == null ? List.of() : List.of(listener));
  }

  public String deviceId() {
    return deviceId;
  }

  public EventLoop loop() {
    return loop;
  }

  long now() {
    return loop.now();
  }

  boolean hasSuspendedBatch() {
    return suspended != null;
  }

  /**
   * Samples waiting in all queues of this device (updated on the loop; readable from any thread).
   */
  public int queuedSamples() {
    return queuedSamples;
  }

  /**
   * Exceptions thrown by this scheduler's listeners so far (isolated; readable from any thread).
   */
  public long listenerFailures() {
    return listener.failures();
  }

  /**
   * Exceptions the scheduler caught from its own code or a policy and recovered from (each also
   * logged at ERROR); zero on a healthy device. Readable from any thread.
   */
  public long recoveredErrors() {
    return recoveredErrors.get();
  }

  private void logRecovered(String message, RuntimeException e) {
    recoveredErrors.incrementAndGet();
    LOG.log(System.Logger.Level.ERROR, message, e);
  }

  /** Whether a stage is executing now (readable from any thread). */
  public boolean isBusy() {
    return deviceBusy;
  }

  private void onLoop(Runnable r) {
    if (loop.inLoop()) {
      r.run();
    } else {
      loop.execute(r);
    }
  }

  /** Adds a model to this device. */
  public void register(ModelLane lane) {
    onLoop(
        () -> {
          lane.attach(this);
          ModelLane old = lanes.put(lane.model(), lane);
          if (old != null && old != lane) {
            failQueued(old, FailureReason.UNAVAILABLE, "model " + lane.model() + " was reloaded");
          }
        });
  }

  /**
   * Removes a model: its queued requests fail with {@code reason}; a batch already on the device
   * finishes.
   */
  public void unregister(String model, FailureReason reason, String message) {
    onLoop(
        () -> {
          ModelLane lane = lanes.remove(model);
          if (lane != null) {
            failQueued(lane, reason, message);
          }
        });
  }

  /**
   * Queues a request (or fails it at once if its model is absent, the device is closed or its queue
   * is full).
   */
  public void submit(Request r) {
    onLoop(
        () -> {
          try {
            arrive(r);
          } catch (RuntimeException e) {
            failAfterError(List.of(r), "accepting", e);
          }
        });
  }

  /** Cancels a request: queued samples never run; running ones stop at the next stage boundary. */
  public void cancel(Request r) {
    r.cancel();
    onLoop(
        () -> {
          try {
            withdraw(r);
          } catch (RuntimeException e) {
            failAfterError(List.of(r), "cancelling", e);
          }
        });
  }

  private void withdraw(Request r) {
    {
      if (r.isFinished()) {
        return;
      }
      boolean started = anyStarted(r);
      ModelLane lane = lanes.get(r.model());
      if (lane != null) {
        lane.queue().withdraw(r);
      }
      for (Sample s : r.samples()) {
        if (!s.hasExited()) {
          listener.onSampleDropped(s, FailureReason.CANCELLED, started, now());
        }
      }
      finishFailed(
          r,
          FailureReason.CANCELLED,
          started ? "cancelled while running" : "cancelled while queued");
      updateQueued();
    }
  }

  /**
   * Stops accepting requests and answers every request it holds with {@code message} (unavailable):
   * the queued ones, those of the suspended batch and those of the running batch, whose outcome is
   * then ignored. Nothing is left unanswered when the device goes away.
   */
  public void close(String message) {
    onLoop(
        () -> {
          closed = true;
          for (ModelLane lane : new ArrayList<>(lanes.values())) {
            failQueued(lane, FailureReason.UNAVAILABLE, message);
          }
          List<Group> held = new ArrayList<>(running);
          if (suspended != null) {
            held.add(suspended);
          }
          for (Group g : held) {
            {
              for (Sample s : g.samples) {
                if (!s.request().isFinished()) {
                  listener.onSampleDropped(s, FailureReason.UNAVAILABLE, true, now());
                  finishFailed(s.request(), FailureReason.UNAVAILABLE, message);
                }
              }
            }
          }
          wakeTimer.cancel();
          expiryTimer.cancel();
        });
  }

  /**
   * The last resort after an unexpected exception while handling an event: the requests concerned
   * get a backend error (once: finished ones are left alone) and the device is free again.
   */
  private void failAfterError(List<Request> requests, String what, RuntimeException e) {
    logRecovered(
        "device "
            + deviceId
            + ": unexpected error while "
            + what
            + "; failing the "
            + requests.size()
            + " request(s) concerned",
        e);
    for (Request r : requests) {
      try {
        if (!r.isFinished()) {
          for (ModelLane lane : lanes.values()) {
            lane.queue().withdraw(r);
          }
          finishFailed(
              r,
              FailureReason.BACKEND,
              "scheduler error on device " + deviceId + " while " + what + ": " + e);
        }
      } catch (RuntimeException again) {
        logRecovered("device " + deviceId + ": could not fail request " + r, again);
      }
    }
    updateQueued();
  }

  private static List<Request> requestsOf(Group g) {
    List<Request> out = new ArrayList<>();
    if (g != null) {
      for (Sample s : g.samples) {
        if (!out.contains(s.request())) {
          out.add(s.request());
        }
      }
    }
    return out;
  }

  /** Model keys registered on this device (a copy; call from the loop, or accept a racy view). */
  public Collection<String> models() {
    return Collections.unmodifiableList(new ArrayList<>(lanes.keySet()));
  }

  // ---------------------------------------------------------------- arrivals and expiry

  private void arrive(Request r) {
    long now = now();
    ModelLane lane = lanes.get(r.model());
    if (closed || lane == null) {
      reject(
          r,
          FailureReason.UNAVAILABLE,
          closed
              ? "device " + deviceId + " is shutting down"
              : "model " + r.model() + " is not loaded");
      return;
    }
    if (r.isCancelRequested()) {
      reject(r, FailureReason.CANCELLED, "cancelled before it was queued");
      return;
    }
    // Admission predicts only when work is ahead of the request. On an idle device with an empty
    // lane the
    // request starts at once whatever the prediction says: refusing there could lock a lane out for
    // good
    // when its latency oracle has learned a transient spike (nothing would run to correct it).
    boolean workAhead = full() || !lane.queue().isEmpty();
    if (lane.config().admission()
        && r.hasDeadline()
        && r.deadlineNanos() > now
        && workAhead) { // already late: 504 below
      long delay =
          AdmissionPredictor.predictedDelayNanos(
              lane, lane.queue().size(), r.sampleCount(), busyRemainderNanos(now));
      if (now + delay > r.deadlineNanos()) {
        listener.onAdmissionRefused(r, now + delay, now);
        reject(
            r,
            FailureReason.REJECTED,
            String.format(
                Locale.ROOT,
                "model %s cannot meet this request's deadline: predicted completion in %.1f ms, deadline in %.1f ms",
                r.model(),
                delay / 1e6,
                (r.deadlineNanos() - now) / 1e6));
        return;
      }
    }
    if (!lane.queue().offer(r, now)) {
      reject(r, FailureReason.REJECTED, "queue of model " + r.model() + " is full");
      return;
    }
    listener.onQueued(r, now);
    updateQueued();
    if (lane.queue().nextExpiryNanos() <= now) {
      onExpiryTimer(); // already late (or timed out) on arrival: answer now rather than start it on
      // an idle device
    } else {
      armExpiryTimer();
    }
    if (!full()) {
      dispatch();
    }
  }

  /** Whether every execution slot is taken. */
  private boolean full() {
    return running.size() >= slots;
  }

  /**
   * Predicted time until a slot frees: 0 when one is free, else the earliest end of a running
   * batch's stages.
   */
  private long busyRemainderNanos(long now) {
    if (!full()) {
      return 0;
    }
    long soonest = Long.MAX_VALUE;
    for (Group g : running) {
      long rest = Math.max(0, g.stageEndNanos - now);
      for (int s = g.nextStage + 1; s < g.lane.plan().stageCount(); s++) {
        rest += g.lane.oracle().stageNanos(s, Math.max(1, g.samples.size()));
      }
      soonest = Math.min(soonest, rest);
    }
    return soonest;
  }

  private void reject(Request r, FailureReason reason, String message) {
    listener.onRejected(r, reason, now());
    finishFailed(r, reason, message);
  }

  private void finishFailed(Request r, FailureReason reason, String message) {
    if (r.fail(reason, message)) {
      listener.onRequestFinished(r, now());
    }
  }

  private void failQueued(ModelLane lane, FailureReason reason, String message) {
    List<Sample> all = lane.queue().poll(Integer.MAX_VALUE);
    for (Sample s : all) {
      if (!s.request().isFinished()) {
        listener.onSampleDropped(s, reason, false, now());
        lane.queue().withdraw(s.request());
        reject(s.request(), reason, message);
      }
    }
    updateQueued();
  }

  private void armExpiryTimer() {
    long next = Long.MAX_VALUE;
    for (ModelLane lane : lanes.values()) {
      next = Math.min(next, lane.queue().nextExpiryNanos());
    }
    if (next == expiryAtNanos) {
      return;
    }
    expiryTimer.cancel();
    expiryAtNanos = next;
    if (next != Long.MAX_VALUE) {
      expiryTimer = loop.schedule(next, this::onExpiryTimer);
    }
  }

  private void onExpiryTimer() {
    try {
      expire();
    } catch (RuntimeException e) {
      logRecovered("device " + deviceId + ": expiring late requests failed", e);
      expiryAtNanos = Long.MAX_VALUE;
      armExpiryTimer();
    }
  }

  private void expire() {
    expiryAtNanos = Long.MAX_VALUE;
    long now = now();
    // A snapshot: an answer's callback runs here and may register or unregister a model at once.
    for (ModelLane lane : List.copyOf(lanes.values())) {
      for (SampleQueue.Expired e : lane.queue().expire(now)) {
        for (Sample s : e.request().samples()) {
          if (!s.hasExited()) {
            listener.onSampleDropped(s, e.reason(), s.firstStartNanos() >= 0, now);
          }
        }
        reject(
            e.request(),
            e.reason(),
            e.reason() == FailureReason.QUEUE_TIMEOUT
                ? "queue timeout expired"
                : "deadline passed while queued");
      }
    }
    updateQueued();
    armExpiryTimer();
  }

  private void updateQueued() {
    int n = 0;
    for (ModelLane lane : lanes.values()) {
      n += lane.queue().size();
    }
    queuedSamples = n;
  }

  // ---------------------------------------------------------------- idle dispatch

  /** Fills free execution slots with fresh batches, most urgent model first. */
  private void dispatch() {
    while (!full() && dispatchOne()) {
      // one more batch started; try the next free slot
    }
  }

  /**
   * Starts one fresh batch in a free slot; false when nothing was started (nothing ready, or a wait
   * armed).
   */
  private boolean dispatchOne() {
    if (suspended != null) {
      // Defensive: a suspended batch always resumes before the device goes idle.
      Group g = suspended;
      suspended = null;
      runStage(g);
      return false;
    }
    ModelLane best = null;
    int bestSize = 0;
    long wake = Long.MAX_VALUE;
    for (ModelLane lane : lanes.values()) {
      if (lane.queue().isEmpty()) {
        continue;
      }
      IdleDecision d;
      try {
        d = lane.policy().onIdle(lane);
      } catch (RuntimeException e) {
        logRecovered(
            "policy "
                + lane.policy().name()
                + " of "
                + lane.model()
                + " failed on idle; starting what is queued instead",
            e);
        d = IdleDecision.start(Math.min(lane.queue().size(), lane.maxBatchSize()));
      }
      if (d.kind() == IdleDecision.Kind.START) {
        if (best == null || moreUrgent(lane, best)) {
          best = lane;
          bestSize = d.batchSize();
        }
      } else if (d.kind() == IdleDecision.Kind.WAIT) {
        wake = Math.min(wake, d.wakeAtNanos());
      }
    }
    if (best != null) {
      int n = Math.min(bestSize, best.maxBatchSize());
      List<Sample> samples = best.queue().poll(n);
      updateQueued();
      if (!samples.isEmpty()) {
        runStage(new Group(best, samples, -1, now()));
        return true;
      }
    }
    armWakeTimer(wake);
    return false;
  }

  /** Higher priority level of the head sample first, then earlier deadline, then older arrival. */
  private static boolean moreUrgent(ModelLane a, ModelLane b) {
    Sample sa = Objects.requireNonNull(a.queue().peek(), "an empty lane");
    Sample sb = Objects.requireNonNull(b.queue().peek(), "an empty lane");
    int la = a.queue().levelOf(sa.request());
    int lb = b.queue().levelOf(sb.request());
    if (la != lb) {
      return la < lb;
    }
    long da = sa.request().deadlineNanos();
    long db = sb.request().deadlineNanos();
    if (da != db) {
      return da < db;
    }
    return sa.enqueuedNanos() < sb.enqueuedNanos();
  }

  private void armWakeTimer(long at) {
    if (at == wakeAtNanos) {
      return;
    }
    wakeTimer.cancel();
    wakeAtNanos = at;
    if (at != Long.MAX_VALUE) {
      wakeTimer =
          loop.schedule(
              at,
              () -> {
                wakeAtNanos = Long.MAX_VALUE;
                dispatch();
              });
    }
  }

  // ---------------------------------------------------------------- stage execution

  private void runStage(Group g) {
    try {
      startStage(g);
    } catch (RuntimeException e) {
      running.remove(g);
      deviceBusy = full();
      failAfterError(requestsOf(g), "starting a stage", e);
      loop.execute(this::dispatch);
    }
  }

  private void startStage(Group g) {
    long now = now();
    if (!running.contains(g)) {
      running.add(g);
    }
    deviceBusy = full();
    wakeTimer.cancel();
    wakeAtNanos = Long.MAX_VALUE;
    int stage = g.nextStage;
    for (Sample s : g.samples) {
      s.markStarted(now);
      s.setNextStage(stage);
    }
    g.maxSize = Math.max(g.maxSize, g.samples.size());
    int masked = g.maskedCount();
    StageBatch batch =
        new StageBatch(g.lane.model(), stage, List.copyOf(g.samples), masked, g.isCatchUp(), now);
    g.stageEndNanos = now + g.lane.oracle().stageNanos(stage, Math.max(1, batch.size()));
    listener.onStageStart(g.lane.model(), stage, batch.size(), masked, g.isCatchUp(), now);
    listener.onBatchStart(batch, now);
    try {
      accelerator.execute(batch, outcome -> loop.execute(() -> stageDone(g, batch, outcome)));
    } catch (RuntimeException e) {
      loop.execute(() -> stageDone(g, batch, StageOutcome.failed(e, 0)));
    }
  }

  private void stageDone(Group g, StageBatch batch, StageOutcome outcome) {
    try {
      finishStage(g, batch, outcome);
    } catch (RuntimeException e) {
      List<Request> concerned = requestsOf(g);
      for (Sample s : batch.samples()) {
        if (!concerned.contains(s.request())) {
          concerned.add(s.request());
        }
      }
      // The group leaves the device (if its next stage had started, its outcome will find its
      // requests
      // failed and drop them); a suspended batch resumes, or the free slot takes fresh work.
      running.remove(g);
      if (suspended == g) {
        suspended = null;
      }
      deviceBusy = full();
      failAfterError(concerned, "finishing a stage", e);
      if (suspended != null && running.isEmpty()) {
        Group resumed = suspended;
        suspended = null;
        runStage(resumed);
      } else if (!full()) {
        loop.execute(this::dispatch);
      }
    }
  }

  private void finishStage(Group g, StageBatch batch, StageOutcome outcome) {
    long now = now();
    running.remove(g);
    deviceBusy = full();
    ModelLane lane = g.lane;
    StagePlan plan = lane.plan();
    int stage = batch.stage();
    boolean failed = outcome.failure() != null;
    boolean merged = false;
    listener.onStageEnd(lane.model(), stage, batch.size(), outcome.deviceNanos(), failed, now);
    listener.onBatchEnd(batch, outcome, now);
    if (failed) {
      failGroup(g, Objects.requireNonNull(outcome.failure()));
    } else {
      lane.oracle().observe(stage, batch.size(), outcome.deviceNanos());
      releaseExits(g, batch, outcome, stage, now);
      dropStale(g, now);
      g.nextStage = stage + 1;
      if (g.isCatchUp() && stage == g.catchUpTarget && suspended != null && !g.samples.isEmpty()) {
        g.samples.addAll(suspended.samples);
        g.catchUpTarget = -1;
        suspended = null;
        merged = true;
        listener.onMerge(lane.model(), stage, g.samples.size(), now);
      }
    }
    if (g.samples.isEmpty() || g.nextStage > plan.lastStage()) {
      finishGroup(g);
      if (g.isCatchUp() && suspended != null) {
        Group resumed = suspended;
        suspended = null;
        listener.onResume(resumed.lane.model(), resumed.nextStage - 1, now);
        runStage(resumed);
      } else {
        dispatch();
      }
      return;
    }
    // As in the Fluid Batching Engine: no decision for a group still catching up or that merged
    // just now;
    // arrivals during a catch-up wait for the merged batch's next decision point.
    if (slots == 1 && !g.isCatchUp() && !merged && suspended == null && !lane.queue().isEmpty()) {
      StageDecision d;
      try {
        d =
            lane.policy()
                .afterStage(
                    lane, new RunningBatch(stage, Collections.unmodifiableList(g.samples), false));
      } catch (RuntimeException e) {
        logRecovered(
            "policy "
                + lane.policy().name()
                + " of "
                + lane.model()
                + " failed after a stage; not preempting",
            e);
        d = StageDecision.CONTINUE;
      }
      if (d.preempt()) {
        int room = lane.maxBatchSize() - g.samples.size();
        int n = Math.min(d.incoming(), room);
        if (n > 0) {
          List<Sample> incoming = lane.queue().poll(n);
          updateQueued();
          if (!incoming.isEmpty()) {
            suspended = g;
            listener.onPreempt(lane.model(), stage, g.samples.size(), incoming.size(), now);
            runStage(new Group(lane, incoming, stage, now));
            return;
          }
        }
      }
    }
    runStage(g);
  }

  private void releaseExits(Group g, StageBatch batch, StageOutcome outcome, int stage, long now) {
    ModelLane lane = g.lane;
    StagePlan plan = lane.plan();
    boolean last = stage == plan.lastStage();
    boolean exitPoint = plan.isExitPoint(stage);
    boolean mask = lane.policy().exitHandling() == ExitHandling.MASK_UNTIL_END;
    List<Sample> samples = batch.samples();
    int reached = 0;
    int exitedHere = 0;
    for (int i = 0; i < samples.size(); i++) {
      Sample s = samples.get(i);
      if (s.isMasked()) {
        if (last) {
          g.samples.remove(s);
          complete(g, s, s.maskedExitStage(), now);
        }
        continue;
      }
      if (s.request().isFinished()) {
        continue;
      }
      reached++;
      boolean exits = last || (exitPoint && outcome.exited(i));
      if (!exits) {
        continue;
      }
      exitedHere++;
      if (mask && !last) {
        s.mask(stage);
      } else {
        g.samples.remove(s);
        complete(g, s, stage, now);
      }
    }
    if (exitPoint) {
      lane.exits().observe(stage, reached, exitedHere);
    }
  }

  private void complete(Group g, Sample s, int stage, long now) {
    g.worstLatencyNanos = Math.max(g.worstLatencyNanos, now - s.request().arrivalNanos());
    s.markExited(stage, now);
    listener.onSampleExit(s, stage, now);
    if (s.request().sampleExited(s)) {
      listener.onRequestFinished(s.request(), now);
    }
  }

  /**
   * Removes samples whose request already failed, was cancelled, or (if configured) is past its
   * deadline.
   */
  private void dropStale(Group g, long now) {
    boolean dropLate = g.lane.config().dropLate();
    for (int i = g.samples.size() - 1; i >= 0; i--) {
      Sample s = g.samples.get(i);
      Request r = s.request();
      FailureReason reason = null;
      if (r.isFinished() && r.failure() != null) {
        reason = r.failure();
      } else if (r.isCancelRequested()) {
        reason = FailureReason.CANCELLED;
      } else if (dropLate && !s.isMasked() && r.deadlineNanos() <= now) {
        reason = FailureReason.DEADLINE_EXCEEDED;
      }
      if (reason != null) {
        g.samples.remove(i);
        listener.onSampleDropped(s, reason, true, now);
        if (!r.isFinished()) {
          g.lane.queue().withdraw(r);
          finishFailed(
              r,
              reason,
              reason == FailureReason.CANCELLED
                  ? "cancelled while running"
                  : "deadline passed while running");
        }
      }
    }
  }

  private void failGroup(Group g, Throwable failure) {
    boolean cutOff = failure instanceof DeviceUnavailableException;
    FailureReason reason = cutOff ? FailureReason.UNAVAILABLE : FailureReason.BACKEND;
    String msg =
        cutOff
            ? String.valueOf(failure.getMessage())
            : "device " + deviceId + " failed: " + failure.getMessage();
    for (Sample s : g.samples) {
      Request r = s.request();
      if (!r.isFinished()) {
        listener.onSampleDropped(s, reason, true, now());
        g.lane.queue().withdraw(r);
        finishFailed(r, reason, msg);
      }
    }
    g.samples.clear();
    updateQueued();
  }

  private void finishGroup(Group g) {
    try {
      g.lane.policy().onBatchFinished(g.lane, g.startedNanos, g.maxSize, g.worstLatencyNanos);
    } catch (RuntimeException e) {
      logRecovered(
          "policy "
              + g.lane.policy().name()
              + " of "
              + g.lane.model()
              + " failed when a batch finished; ignored",
          e);
    }
  }

  private static boolean anyStarted(Request r) {
    for (Sample s : r.samples()) {
      if (s.firstStartNanos() >= 0) {
        return true;
      }
    }
    return false;
  }
}
