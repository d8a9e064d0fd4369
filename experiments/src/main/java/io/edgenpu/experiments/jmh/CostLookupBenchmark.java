package io.edgenpu.experiments.jmh;

import io.edgenpu.experiments.RepositoryModel;
import io.edgenpu.npu.cost.CostModel;
import io.edgenpu.npu.cost.FluidTable;
import io.edgenpu.npu.cost.LayoutPolicy;
import io.edgenpu.npu.profile.NpuProfiles;
import io.edgenpu.scheduler.core.LatencyOracle;
import io.edgenpu.scheduler.core.TableLatencyOracle;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost-model lookups on the scheduler's hot path, once the tables are built: a stage latency from
 * the Fluid Batching table, a layer's chosen layout and cost, and the scheduler's table oracle.
 * Run: {@code java -cp experiments/target/experiments.jar org.openjdk.jmh.Main
 * CostLookupBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CostLookupBenchmark {
  private FluidTable table;
  private LatencyOracle oracle;
  private int i;

  @Setup
  public void build() throws Exception {
    RepositoryModel m =
        RepositoryModel.load(
            Path.of(System.getProperty("repository", "models/repository")), "ee-digits");
    table =
        FluidTable.build(
            new CostModel(NpuProfiles.preset("fluid-npu")), m.workload(), 8, LayoutPolicy.FLUID);
    long[][] t = new long[4][9];
    for (int s = 0; s < 4; s++) {
      for (int b = 1; b <= 8; b++) {
        t[s][b] = table.stageNanos(s, b);
      }
    }
    oracle = new TableLatencyOracle(t);
  }

  @Benchmark
  public long stageLatencyFromTheFluidTable() {
    i++;
    return table.stageNanos(i & 3, 1 + (i & 7));
  }

  @Benchmark
  public Object layerLayoutFromTheFluidTable() {
    i++;
    return table.layer(i & 3, Math.floorMod(i, table.layerCount(i & 3)), 1 + (i & 7)).layout();
  }

  @Benchmark
  public long schedulerOracleLookup() {
    i++;
    return oracle.stageNanos(i & 3, 1 + (i & 7));
  }
}
