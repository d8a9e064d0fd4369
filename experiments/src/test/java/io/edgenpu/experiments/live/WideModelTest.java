package io.edgenpu.experiments.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.npu.workload.Workload;
import io.edgenpu.scheduler.core.TableLatencyOracle;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * ee-resnet18-digits is on the far side of the Edge-TPU-class parameter cache (8 MB), ee-digits on
 * the near side: on that profile a batch of 8 through the deepest stage costs little more than one
 * sample for the wide model (its weights stream once per batch), and about 8 x one for the small
 * one. This is what the live experiment rests on.
 */
class WideModelTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final String PROFILE = "edge-tpu-class";

  private static long weightBytes(Workload w) {
    long bytes = 0;
    for (Workload.Stage s : w.stages()) {
      for (var layer : s.allLayers()) {
        bytes += layer.weightElements();
      }
    }
    return bytes;
  }

  @Test
  void theWideModelsWeightsOverflowTheCacheAndBatchingPays() throws Exception {
    LiveModel wide = LiveModel.load(ROOT.resolve("models/live/ee-resnet18-digits"), PROFILE);
    assertThat(weightBytes(wide.model().workload())).isGreaterThan(8_000_000L);
    TableLatencyOracle t = wide.setup().oracle(PROFILE);
    int last = wide.model().workload().stageCount() - 1;
    assertThat((double) t.stageNanos(last, 8) / t.stageNanos(last, 1)).isLessThan(1.5);
  }

  @Test
  void theSmallModelFitsAndBatchingDoesNot() throws Exception {
    LiveModel small = LiveModel.load(ROOT.resolve("models/repository/ee-digits"), PROFILE);
    assertThat(weightBytes(small.model().workload())).isLessThan(8_000_000L);
    TableLatencyOracle t = small.setup().oracle(PROFILE);
    int last = small.model().workload().stageCount() - 1;
    assertThat((double) t.stageNanos(last, 8) / t.stageNanos(last, 1)).isGreaterThan(4);
  }

  @Test
  void theHeldOutExitsAreReal() throws Exception {
    LiveModel wide = LiveModel.load(ROOT.resolve("models/live/ee-resnet18-digits"), PROFILE);
    int[] count = new int[4];
    for (int e : wide.sampleExits()) {
      count[e]++;
    }
    assertThat(wide.sampleExits()).hasSize(360);
    // Every exit is taken by some held-out sample, and most leave at the first.
    for (int c : count) {
      assertThat(c).isPositive();
    }
    assertThat(count[0]).isGreaterThan(180);
  }
}
