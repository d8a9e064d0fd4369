package io.edgenpu.service.device;

import io.edgenpu.scheduler.core.Accelerator;
import io.edgenpu.scheduler.core.DeviceUnavailableException;
import io.edgenpu.scheduler.core.StageBatch;
import io.edgenpu.scheduler.core.StageOutcome;
import io.edgenpu.scheduler.loop.Cancellable;
import io.edgenpu.scheduler.loop.EventLoop;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A device backend behind three guards, in this order:
 *
 * <ol>
 *   <li>a Resilience4j {@link CircuitBreaker}: stage failures and overruns count against it; once
 *       open, stages fail at once with {@link DeviceUnavailableException} (503) until its wait ends
 *       and probe stages pass;
 *   <li>a Resilience4j {@link Bulkhead} on the blocking work: at most N stages of this device may
 *       hold a compute thread at once, so a backend that hangs keeps at most N threads, not the
 *       whole shared pool;
 *   <li>a time limiter on the device's own loop timer: a stage that has not answered within its
 *       limit is answered for it (the batch fails as unavailable); its late answer, if any, is
 *       dropped.
 * </ol>
 *
 * Thread-safe; the outcome is delivered exactly once per stage, as {@link Accelerator} requires.
 */
public final class GuardedAccelerator implements Accelerator {
  private final String device;
  private final Accelerator inner;
  private final EventLoop loop;
  private final CircuitBreaker breaker;
  private final Bulkhead bulkhead;
  private final long stageTimeoutNanos;

  /**
   * @param stageTimeout longest a stage may take before it is answered as failed (> 0)
   */
  public GuardedAccelerator(
      String device,
      Accelerator inner,
      EventLoop loop,
      CircuitBreaker breaker,
      Bulkhead bulkhead,
      Duration stageTimeout) {
    this.device = device;
    this.inner = inner;
    this.loop = loop;
    this.breaker = breaker;
    this.bulkhead = bulkhead;
    this.stageTimeoutNanos = stageTimeout.toNanos();
  }

  public CircuitBreaker breaker() {
    return breaker;
  }

  public Bulkhead bulkhead() {
    return bulkhead;
  }

  /**
   * Why a new request should be refused now (the breaker is open), or null when the device takes
   * work.
   */
  public @Nullable DeviceUnavailableException refusal() {
    if (breaker.getState() != CircuitBreaker.State.OPEN) {
      return null;
    }
    return cutOff();
  }

  private DeviceUnavailableException cutOff() {
    long waitNanos =
        TimeUnit.MILLISECONDS.toNanos(
            Math.max(
                0,
                breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1)));
    return new DeviceUnavailableException(
        "device "
            + device
            + " is cut off after repeated backend failures"
            + " (circuit breaker open); retry later",
        waitNanos);
  }

  @Override
  public void execute(StageBatch batch, Consumer<StageOutcome> done) {
    if (!breaker.tryAcquirePermission()) {
      done.accept(StageOutcome.failed(cutOff(), 0));
      return;
    }
    if (!bulkhead.tryAcquirePermission()) {
      breaker.releasePermission();
      done.accept(
          StageOutcome.failed(
              new DeviceUnavailableException(
                  "device "
                      + device
                      + " has "
                      + bulkhead.getBulkheadConfig().getMaxConcurrentCalls()
                      + " stages stuck in its backend (bulkhead full)",
                  0),
              0));
      return;
    }
    long start = System.nanoTime();
    AtomicBoolean answered = new AtomicBoolean();
    Cancellable limit =
        loop.schedule(
            loop.now() + stageTimeoutNanos,
            () -> {
              if (answered.compareAndSet(false, true)) {
                DeviceUnavailableException e =
                    new DeviceUnavailableException(
                        "device "
                            + device
                            + " did not finish a stage within "
                            + Duration.ofNanos(stageTimeoutNanos).toMillis()
                            + " ms (time limit)",
                        0);
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
                done.accept(StageOutcome.failed(e, stageTimeoutNanos));
              }
            });
    try {
      inner.execute(
          batch,
          outcome -> {
            bulkhead.onComplete();
            loop.execute(() -> finish(outcome, answered, limit, start, done));
          });
    } catch (RuntimeException e) {
      bulkhead.onComplete();
      finish(StageOutcome.failed(e, 0), answered, limit, start, done);
    }
  }

  /** On the device loop: the backend's answer, unless the time limit answered first. */
  private void finish(
      StageOutcome outcome,
      AtomicBoolean answered,
      Cancellable limit,
      long start,
      Consumer<StageOutcome> done) {
    if (!answered.compareAndSet(false, true)) {
      return; // answered by the time limit already
    }
    limit.cancel();
    long took = System.nanoTime() - start;
    if (outcome.failure() == null) {
      breaker.onSuccess(took, TimeUnit.NANOSECONDS);
    } else {
      breaker.onError(took, TimeUnit.NANOSECONDS, outcome.failure());
    }
    done.accept(outcome);
  }
}
