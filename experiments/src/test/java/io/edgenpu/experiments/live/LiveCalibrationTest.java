package io.edgenpu.experiments.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The time scale covers the slowest stage's host time with headroom and the hold floor. */
class LiveCalibrationTest {
  @Test
  void theWorstHostToModelledRatioTimesHeadroomSetsTheScale() {
    List<LiveCalibration.Row> rows =
        List.of(
            new LiveCalibration.Row("m", 0, 1, 300, 2_000), // ratio 0.15
            new LiveCalibration.Row("m", 0, 8, 2_400, 1_000), // ratio 2.4: the worst
            new LiveCalibration.Row("other", 0, 1, 9_000, 1_000)); // another model's
    // 2.4 x 2 = 4.8 -> 5; the floor asks 10 ms / 1 ms = 10: the floor wins.
    assertThat(LiveCalibration.timeScale(rows, "m", 2)).isEqualTo(10);
    // With headroom 5: 12 > 10.
    assertThat(LiveCalibration.timeScale(rows, "m", 5)).isEqualTo(12);
  }

  @Test
  void theShortestStageHoldsAtLeastTheFloor() {
    List<LiveCalibration.Row> rows =
        List.of(
            new LiveCalibration.Row("m", 0, 1, 10, 25),
            new LiveCalibration.Row("m", 1, 1, 10, 400));
    double scale = LiveCalibration.timeScale(rows, "m", 2);
    assertThat(25 * scale / 1e3).isGreaterThanOrEqualTo(LiveCalibration.HOLD_FLOOR_MS);
    assertThat(24 * scale / 1e3).isLessThan(LiveCalibration.HOLD_FLOOR_MS);
  }
}
