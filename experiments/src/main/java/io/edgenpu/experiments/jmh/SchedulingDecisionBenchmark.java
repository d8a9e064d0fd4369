package io.edgenpu.experiments.jmh;

import io.edgenpu.scheduler.core.DeviceScheduler;
import io.edgenpu.scheduler.core.ExitStatistics;
import io.edgenpu.scheduler.core.FailureReason;
import io.edgenpu.scheduler.core.ModelLane;
import io.edgenpu.scheduler.core.Request;
import io.edgenpu.scheduler.core.RequestListener;
import io.edgenpu.scheduler.core.Sample;
import io.edgenpu.scheduler.core.StagePlan;
import io.edgenpu.scheduler.core.TableLatencyOracle;
import io.edgenpu.scheduler.loop.VirtualEventLoop;
import io.edgenpu.scheduler.policy.BatchPolicies;
import io.edgenpu.scheduler.policy.RunningBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One scheduling decision of the fluid batcher at queue depths 10, 100 and 1000: the stage-boundary
 * decision (preempt or continue, both rules) and the idle decision (fresh batch size). The tables
 * are built in setup. Run: {@code java -cp experiments/target/experiments.jar org.openjdk.jmh.Main
 * SchedulingDecisionBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SchedulingDecisionBenchmark {
  @Param({"10", "100", "1000"})
  int queueDepth;

  @Param({"expected-cost", "guarded-refill"})
  String rule;

  private ModelLane lane;
  private RunningBatch running;

  @Setup
  public void fill() {
    StagePlan plan = StagePlan.exitAfterEveryStage(4);
    TableLatencyOracle oracle = TableLatencyOracle.of(4, 8, (s, b) -> 20_000 + 6_000 * b);
    VirtualEventLoop loop = new VirtualEventLoop();
    // A device that never finishes: the first batch stays on it and everything else waits in the
    // queue.
    DeviceScheduler device = new DeviceScheduler("bench", loop, (batch, done) -> {}, null);
    lane =
        new ModelLane(
            "m",
            plan,
            oracle,
            ExitStatistics.fromCumulative(plan, new double[] {0.4, 0.65, 0.8, 1}),
            BatchPolicies.create("fluid", Map.of("rule", rule)),
            ModelLane.Config.simple(8).withDefaultSlo(Duration.ofMillis(1)));
    device.register(lane);
    RequestListener ignore =
        new RequestListener() {
          @Override
          public void onCompleted(Request r) {}

          @Override
          public void onFailed(Request r, FailureReason reason, String message) {}
        };
    List<Sample> live = new ArrayList<>();
    for (int i = 0; i <= queueDepth + 3; i++) {
      Request r =
          Request.builder("m", ignore)
              .id(i)
              .arrivalNanos(i * 1000L)
              .deadlineNanos(5_000_000L + i * 1000L)
              .samples(1, k -> null)
              .build();
      device.submit(r);
      if (i < 4) {
        live.add(r.samples().get(0));
      }
    }
    loop.runUntilIdle();
    running = new RunningBatch(0, live, false);
  }

  @Benchmark
  public Object stageBoundaryDecision() {
    return lane.policy().afterStage(lane, running);
  }

  @Benchmark
  public Object idleDecision() {
    return lane.policy().onIdle(lane);
  }
}
