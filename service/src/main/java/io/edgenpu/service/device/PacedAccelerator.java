package io.edgenpu.service.device;

import io.edgenpu.scheduler.core.StageBatch;
import io.edgenpu.scheduler.core.StageOutcome;
import io.edgenpu.scheduler.loop.EventLoop;
import io.edgenpu.service.backend.ModelInstance;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An emulated accelerator: the numbers come from ONNX Runtime (on the compute executor), the time
 * from a cost model of the hardware ({@link #modelledNanos}). Each stage holds the device busy for
 * exactly its modelled time times {@code timeScale}, paced on the device's event-loop clock; when
 * the host computes slower than the modelled hardware, the device is held until the numbers exist
 * and the overrun is counted.
 */
public abstract class PacedAccelerator extends OrtAccelerator {
  private static final Logger LOG = LoggerFactory.getLogger(PacedAccelerator.class);
  protected final EventLoop loop;
  protected final double timeScale;
  private final AtomicLong modelledNanos = new AtomicLong();
  private final AtomicLong overruns = new AtomicLong();

  /**
   * @param timeScale multiplies modelled times (1 = the hardware's own speed; 10 = ten times
   *     slower); > 0
   */
  protected PacedAccelerator(EventLoop loop, Executor compute, double timeScale) {
    super(compute);
    if (!(timeScale > 0)) {
      throw new IllegalArgumentException("time scale must be > 0");
    }
    this.loop = loop;
    this.timeScale = timeScale;
  }

  /**
   * Modelled hardware time of this stage batch, nanoseconds (unscaled), and any accounting of it;
   * called on the device's event loop. Returns a negative value when the model is not on this
   * device.
   */
  protected abstract long modelledNanos(StageBatch batch, ModelInstance model);

  /** Modelled nanoseconds times the time scale, as the device is held (at least 1 ns). */
  protected long scaled(double modelledNanos) {
    return Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(modelledNanos * timeScale)));
  }

  @Override
  public void execute(StageBatch batch, Consumer<StageOutcome> done) {
    ModelInstance model = models.get(batch.model());
    long modelled = model == null ? -1 : modelledNanos(batch, model);
    if (modelled < 0) {
      done.accept(
          StageOutcome.failed(
              new IllegalStateException("model " + batch.model() + " is not on this device"), 0));
      return;
    }
    long start = loop.now();
    long hold = Math.max(1, Math.round(modelled * timeScale));
    modelledNanos.addAndGet(modelled);
    super.execute(
        batch,
        outcome ->
            loop.execute(
                () -> {
                  long due = start + hold;
                  long now = loop.now();
                  if (now >= due) {
                    if (now > due) {
                      overruns.incrementAndGet();
                      if (LOG.isDebugEnabled()) { // at time scale 1 nearly every stage overruns
                        LOG.debug(
                            "overrun: {} stage {} batch {} held {} us, host took {} us",
                            batch.model(),
                            batch.stage(),
                            batch.size(),
                            hold / 1000,
                            (now - start) / 1000);
                      }
                    }
                    deliver(outcome, now - start, done);
                  } else {
                    loop.schedule(due, () -> deliver(outcome, hold, done));
                  }
                }));
  }

  private void deliver(StageOutcome computed, long heldNanos, Consumer<StageOutcome> done) {
    busy.addAndGet(heldNanos);
    done.accept(new StageOutcome(computed.exited(), computed.failure(), heldNanos));
  }

  @Override
  protected void finished(
      StageBatch batch,
      boolean @Nullable [] exited,
      long computeNanos,
      @Nullable Throwable failure,
      Consumer<StageOutcome> done) {
    // Pacing happens in execute(); here only hand the computed numbers on (busy time is the held
    // time).
    done.accept(
        failure == null
            ? StageOutcome.success(Objects.requireNonNull(exited), computeNanos)
            : StageOutcome.failed(failure, computeNanos));
  }

  /** Modelled hardware time spent, nanoseconds (not scaled). */
  public long modelledNanos() {
    return modelledNanos.get();
  }

  /** Stages whose host computation took longer than their modelled, scaled time. */
  public long overruns() {
    return overruns.get();
  }
}
