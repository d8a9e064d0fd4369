package io.edgenpu.scheduler.core;

import io.edgenpu.scheduler.loop.VirtualEventLoop;
import io.edgenpu.scheduler.policy.BatchPolicy;
import io.edgenpu.scheduler.sim.SimulatedAccelerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A device scheduler on a virtual loop with a recording listener, for mechanics tests. */
final class SchedulerHarness implements SchedulerListener {
  static final String MODEL = "m";

  final VirtualEventLoop loop = new VirtualEventLoop();
  final SimulatedAccelerator accelerator;
  final DeviceScheduler scheduler;
  final ModelLane lane;
  final List<String> events = new ArrayList<>();
  final List<int[]> stageStarts = new ArrayList<>();
  final Map<Long, Long> latencyById = new TreeMap<>();
  final Map<Long, FailureReason> failureById = new TreeMap<>();
  final Map<Long, Long> answeredAt = new TreeMap<>();

  /** Answers per request id (completions and failures): exactly one each, always. */
  final Map<Long, Integer> answers = new TreeMap<>();

  int preemptions;
  int merges;
  int resumes;
  private long nextId;

  SchedulerHarness(
      StagePlan plan,
      LatencyOracle oracle,
      ExitStatistics exits,
      BatchPolicy policy,
      ModelLane.Config config) {
    this(plan, oracle, exits, policy, config, null);
  }

  /**
   * @param extra a further scheduler listener (after the harness's own), or null
   */
  SchedulerHarness(
      StagePlan plan,
      LatencyOracle oracle,
      ExitStatistics exits,
      BatchPolicy policy,
      ModelLane.Config config,
      SchedulerListener extra) {
    this(plan, oracle, exits, policy, config, extra, 1);
  }

  /**
   * @param slots execution slots of the device (batches that may run at once)
   */
  SchedulerHarness(
      StagePlan plan,
      LatencyOracle oracle,
      ExitStatistics exits,
      BatchPolicy policy,
      ModelLane.Config config,
      SchedulerListener extra,
      int slots) {
    accelerator = new SimulatedAccelerator(loop, 0).withModel(MODEL, oracle);
    scheduler =
        new DeviceScheduler(
            "npu0",
            loop,
            accelerator,
            extra == null ? this : IsolatedListeners.of(List.of(this, extra)),
            slots);
    lane = new ModelLane(MODEL, plan, oracle, exits, policy, config);
    scheduler.register(lane);
  }

  /** Stage s at batch b takes (1000 + 100 b) microseconds. */
  static LatencyOracle linearOracle(int stages, int maxBatch) {
    return TableLatencyOracle.of(stages, maxBatch, (s, b) -> (1000 + 100 * b) * 1000);
  }

  /**
   * Submits at virtual time {@code atMicros} a one-sample request that will exit at {@code
   * exitStage}.
   */
  Request submitAt(long atMicros, int exitStage, long deadlineMicros) {
    return submitAt(atMicros, exitStage, deadlineMicros, 0);
  }

  Request submitAt(long atMicros, int exitStage, long deadlineMicros, int priority) {
    long id = nextId++;
    long at = atMicros * 1000;
    Request r =
        Request.builder(MODEL, listener())
            .id(id)
            .arrivalNanos(at)
            .deadlineNanos(deadlineMicros < 0 ? Request.NO_DEADLINE : deadlineMicros * 1000)
            .priority(priority)
            .samples(1, i -> null)
            .plannedExits(i -> exitStage)
            .build();
    loop.schedule(at, () -> scheduler.submit(r));
    return r;
  }

  /**
   * A one-sample request of a client with a fair-queueing weight, submitted at {@code atMicros}.
   */
  Request submitFrom(long atMicros, String client, double weight, long deadlineMicros) {
    long id = nextId++;
    long at = atMicros * 1000;
    Request r =
        Request.builder(MODEL, listener())
            .id(id)
            .arrivalNanos(at)
            .deadlineNanos(deadlineMicros * 1000)
            .clientId(client)
            .weight(weight)
            .samples(1, i -> null)
            .build();
    loop.schedule(at, () -> scheduler.submit(r));
    return r;
  }

  private RequestListener listener() {
    return new RequestListener() {
      @Override
      public void onCompleted(Request r) {
        answers.merge(r.id(), 1, Integer::sum);
        latencyById.put(r.id(), loop.now() - r.arrivalNanos());
        answeredAt.put(r.id(), loop.now());
      }

      @Override
      public void onFailed(Request r, FailureReason reason, String message) {
        answers.merge(r.id(), 1, Integer::sum);
        failureById.put(r.id(), reason);
        answeredAt.put(r.id(), loop.now());
      }
    };
  }

  /** Requests submitted so far. */
  long submitted() {
    return nextId;
  }

  void run() {
    loop.runUntilIdle();
  }

  @Override
  public void onStageStart(
      String model, int stage, int size, int masked, boolean catchUp, long nowNanos) {
    stageStarts.add(new int[] {stage, size, catchUp ? 1 : 0});
    events.add(
        "start s" + stage + " b" + size + (catchUp ? " catch-up" : "") + " @" + nowNanos / 1000);
  }

  @Override
  public void onPreempt(String model, int stage, int live, int incoming, long nowNanos) {
    preemptions++;
    events.add("preempt after s" + stage + " live=" + live + " incoming=" + incoming);
  }

  @Override
  public void onMerge(String model, int stage, int mergedSize, long nowNanos) {
    merges++;
    events.add("merge after s" + stage + " size=" + mergedSize);
  }

  @Override
  public void onResume(String model, int stage, long nowNanos) {
    resumes++;
    events.add("resume after s" + stage);
  }

  /** "stage:size" of each stage start, in order, e.g. "0:2 1:2 0:1 ...". */
  String batchSizesPerStage() {
    StringBuilder sb = new StringBuilder();
    for (int[] s : stageStarts) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(s[0]).append(':').append(s[1]).append(s[2] == 1 ? "c" : "");
    }
    return sb.toString();
  }
}
