package io.edgenpu.scheduler.policy;

import io.edgenpu.scheduler.core.ExitStatistics;
import io.edgenpu.scheduler.core.FailureReason;
import io.edgenpu.scheduler.core.LatencyOracle;
import io.edgenpu.scheduler.core.QueuePolicy;
import io.edgenpu.scheduler.core.Request;
import io.edgenpu.scheduler.core.RequestListener;
import io.edgenpu.scheduler.core.Sample;
import io.edgenpu.scheduler.core.SampleQueue;
import io.edgenpu.scheduler.core.StagePlan;
import io.edgenpu.scheduler.core.TableLatencyOracle;
import java.util.ArrayList;
import java.util.List;

/**
 * What a policy sees, set by hand: a clock, a real queue, a stage plan with exits, and an oracle
 * where a stage takes {@code (1000 + 100 b)} microseconds. For calling policies directly, without a
 * scheduler.
 */
final class PolicyContextStub implements PolicyContext {
  long now;
  final StagePlan plan;
  final LatencyOracle oracle;
  final ExitStatistics exits;
  final int maxBatch;
  long sloNanos;
  boolean suspended;
  final SampleQueue queue;
  private long ids;

  PolicyContextStub(
      StagePlan plan, double[] cumulativeExits, int maxBatch, SampleQueue.Order order) {
    this.plan = plan;
    this.oracle =
        TableLatencyOracle.of(plan.stageCount(), maxBatch, (s, b) -> (1000 + 100 * b) * 1000);
    this.exits =
        plan.stageCount() == 1
            ? ExitStatistics.none(plan)
            : ExitStatistics.fromCumulative(plan, cumulativeExits);
    this.maxBatch = maxBatch;
    this.queue = new SampleQueue(List.of(QueuePolicy.UNBOUNDED), 1, order, true);
  }

  static PolicyContextStub single(int maxBatch) {
    return new PolicyContextStub(StagePlan.single(), null, maxBatch, SampleQueue.Order.FIFO);
  }

  static PolicyContextStub earlyExit(int maxBatch) {
    return new PolicyContextStub(
        StagePlan.exitAfterEveryStage(4),
        new double[] {0.4, 0.65, 0.8, 1.0},
        maxBatch,
        SampleQueue.Order.FIFO);
  }

  /**
   * Queues a one-sample request now, with a deadline {@code deadlineMicros} from now (negative:
   * none).
   */
  Request enqueue(long deadlineMicros) {
    Request r =
        Request.builder(
                "m",
                new RequestListener() {
                  @Override
                  public void onCompleted(Request request) {}

                  @Override
                  public void onFailed(Request request, FailureReason reason, String message) {}
                })
            .id(ids++)
            .arrivalNanos(now)
            .deadlineNanos(deadlineMicros < 0 ? Request.NO_DEADLINE : now + deadlineMicros * 1000)
            .samples(1, i -> null)
            .build();
    queue.offer(r, now);
    return r;
  }

  /** Running samples (not queued) with the given deadlines, microseconds from now. */
  List<Sample> running(long... deadlinesMicros) {
    List<Sample> out = new ArrayList<>();
    for (long d : deadlinesMicros) {
      out.add(
          Request.builder(
                  "m",
                  new RequestListener() {
                    @Override
                    public void onCompleted(Request request) {}

                    @Override
                    public void onFailed(Request request, FailureReason reason, String message) {}
                  })
              .id(ids++)
              .arrivalNanos(now)
              .deadlineNanos(now + d * 1000)
              .samples(1, i -> null)
              .build()
              .samples()
              .get(0));
    }
    return out;
  }

  @Override
  public long now() {
    return now;
  }

  @Override
  public String model() {
    return "m";
  }

  @Override
  public StagePlan plan() {
    return plan;
  }

  @Override
  public LatencyOracle oracle() {
    return oracle;
  }

  @Override
  public ExitStatistics exits() {
    return exits;
  }

  @Override
  public int maxBatchSize() {
    return maxBatch;
  }

  @Override
  public long defaultSloNanos() {
    return sloNanos;
  }

  @Override
  public SampleQueue queue() {
    return queue;
  }

  @Override
  public boolean hasSuspendedBatch() {
    return suspended;
  }
}
