package io.edgenpu.scheduler.core;

/**
 * Predicts when a new request would complete if admitted now, from the lane's latency oracle and
 * exit statistics, so that a request that cannot meet its deadline is refused at once instead of
 * served late.
 *
 * <p>Estimate (nanoseconds from now): the running batch's remaining time (the rest of its current
 * stage as predicted when it started, plus its later stages at its size) + one expected pass per
 * full batch of samples queued ahead in this lane + the expected pass of the batch this request
 * joins; times {@link #HEADROOM}. An expected pass runs stage s at the batch size that survives to
 * it: {@code B · survival(0, s)} from the exit statistics (all stages for plain models). Other
 * lanes of the device and priorities are ignored: a deliberately simple, documented approximation
 * (decision 0009). Stateless; called on the device loop.
 */
final class AdmissionPredictor {
  /**
   * Headroom on the prediction: a request is admitted only if its predicted delay times this factor
   * fits before its deadline. Under sustained overload every admitted request sits near the
   * admission edge, so the real clock's small per-batch gaps (timer wake-ups, hand-offs) would
   * otherwise push many just past it.
   */
  static final double HEADROOM = 1.10;

  private AdmissionPredictor() {}

  /**
   * Expected time of one batch of {@code batch} samples through the model, early exits included.
   */
  static long expectedPassNanos(ModelLane lane, int batch) {
    StagePlan plan = lane.plan();
    double t = 0;
    for (int s = 0; s < plan.stageCount(); s++) {
      double alive = batch * (s == 0 ? 1.0 : lane.exits().survival(0, s));
      int b = (int) Math.max(1, Math.min(lane.maxBatchSize(), Math.round(alive)));
      t += lane.oracle().stageNanos(s, b);
    }
    return Math.round(t);
  }

  /**
   * Predicted completion delay of {@code samples} new samples behind {@code queued} queued ones,
   * the device being busy for {@code busyNanos} more with what runs now.
   */
  static long predictedDelayNanos(ModelLane lane, int queued, int samples, long busyNanos) {
    int b = lane.maxBatchSize();
    long full = expectedPassNanos(lane, b);
    long busy = Math.max(0, busyNanos);
    int ahead = queued / b;
    int last = Math.min(b, queued % b + samples);
    int extra =
        (queued % b + samples - 1)
            / b; // further full batches when the request itself spans batches
    long delay = busy + (long) ahead * full + (long) extra * full + expectedPassNanos(lane, last);
    return Math.round(delay * HEADROOM);
  }
}
