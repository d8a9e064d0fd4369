package io.edgenpu.npu.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.profile.NpuProfiles;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hybrid-precision search on the shipped x2 SR network (calibration: its shipped set of
 * training-image crops): an unreachable tolerance is reported as such and falls back to all-A16W8;
 * a reachable one gives a configuration inside it, between all-A8W8 and all-A16W8 in both quality
 * and emulated latency.
 */
class HpqSearchTest {
  private static HpqSearch search;
  private static int layers;

  @BeforeAll
  static void setUp() throws Exception {
    OnnxModel model =
        OnnxModel.read(Path.of("..", "models", "repository", "sr-x2", "1", "model.onnx"));
    // The first 12 of the 32 shipped crops keep this test quick; the shipped configurations use all
    // of them.
    List<HpqSearch.Pair> cal =
        SrCalibration.read(Path.of("..", "models", "repository", "sr-x2-nawq")).subList(0, 12);
    search = new HpqSearch(model, cal, NpuProfiles.resolve("fluid-npu"), 64, 2);
    layers = search.graph().convs().size();
  }

  @Test
  void aToleranceBelowWhatSixteenBitsReachIsReportedInfeasible() {
    HpqSearch.Result r = search.search(0.01, e -> {});
    assertThat(r.feasible()).isFalse();
    assertThat(r.bits()).containsOnly(16);
  }

  @Test
  void aReachableToleranceGivesAConfigurationOnBothLadders() {
    double all16 = search.psnr(Collections.nCopies(layers, 16));
    double all8 = search.psnr(Collections.nCopies(layers, 8));
    HpqSearch.Result probe = search.search(100, e -> {}); // everything fits: all 8-bit
    assertThat(probe.bits()).containsOnly(8);
    double fp32 = probe.psnrFp32();
    // A tolerance halfway between what all-A16W8 and all-A8W8 lose.
    double eps = (fp32 - all16 + fp32 - all8) / 2;
    HpqSearch.Result r = search.search(eps, e -> {});
    System.out.printf(
        "sr-x2 HPQ: FP32 %.3f, A16W8 %.3f, A8W8 %.3f dB; eps %.3f -> bits %s, %.3f dB, %.1f us (A8 %.1f, A16 %.1f), %d evaluations%n",
        fp32,
        all16,
        all8,
        eps,
        r.bits(),
        r.psnr(),
        r.nanos() / 1e3,
        search.nanos(Collections.nCopies(layers, 8)) / 1e3,
        search.nanos(Collections.nCopies(layers, 16)) / 1e3,
        r.evaluations());
    assertThat(r.feasible()).isTrue();
    assertThat(fp32 - r.psnr()).isLessThanOrEqualTo(eps);
    assertThat(r.psnr()).isBetween(all8, all16);
    assertThat(r.nanos())
        .isBetween(
            search.nanos(Collections.nCopies(layers, 8)),
            search.nanos(Collections.nCopies(layers, 16)));
  }
}
