package io.edgenpu.npu.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.profile.NpuProfiles;
import io.edgenpu.npu.quant.SrGraph.Image;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The runtime tile codec on the shipped x2 network: tiles with a halo covering the receptive field
 * (radius 6 here: a 5x5 then four 3x3 convolutions) stitch to exactly the untiled output, in float
 * and in integer arithmetic; without a halo they do not; and enhancing the hardest tiles under a
 * latency budget gains PSNR over the static 8-bit configuration at a cost between its latency and
 * the all-16-bit one's.
 */
class TileCodecTest {
  private static SrGraph graph;
  private static Map<String, double[]> ranges;
  private static OnnxModel model;

  @BeforeAll
  static void load() throws Exception {
    model = OnnxModel.read(Path.of("..", "models", "repository", "sr-x2", "1", "model.onnx"));
    graph = SrGraph.from(model);
    ranges = QuantSrRunnerTest.calibratedRanges(graph);
  }

  @Test
  void tilesCoverTheImageOnceAndHalosAreClippedAtEdges() {
    List<TileCodec.Tile> tiles = new TileCodec(16, 6, 2).tiles(40, 35);
    assertThat(tiles).hasSize(9);
    assertThat(tiles.stream().mapToInt(t -> t.w() * t.h()).sum()).isEqualTo(40 * 35);
    assertThat(tiles.get(0).px0()).isZero();
    assertThat(tiles.get(4).px0()).isEqualTo(10);
    assertThat(tiles.get(8).pw()).isEqualTo(3 + 6);
  }

  @Test
  void aHaloCoveringTheReceptiveFieldStitchesToExactlyTheUntiledOutput() throws Exception {
    Image lr = QuantSrRunnerTest.luma("astronaut-lr.png", 48);
    QuantSrRunner a8 =
        new QuantSrRunner(graph, ranges, Collections.nCopies(graph.convs().size(), 8));
    TileCost perPixel = TileCost.flat(1);
    Image whole = a8.run(lr);
    Image tiled =
        new TileCodec(16, 6, 2).run(lr, a8::run, a8::run, perPixel, Double.MAX_VALUE).image();
    assertThat(tiled.data()).containsExactly(whole.data());
    Image wholeFloat = graph.runFloat(lr, null);
    Image tiledFloat =
        new TileCodec(16, 6, 2)
            .run(
                lr,
                x -> graph.runFloat(x, null),
                x -> graph.runFloat(x, null),
                perPixel,
                Double.MAX_VALUE)
            .image();
    assertThat(tiledFloat.data()).containsExactly(wholeFloat.data());
    Image noHalo =
        new TileCodec(16, 0, 2).run(lr, a8::run, a8::run, perPixel, Double.MAX_VALUE).image();
    assertThat(noHalo.data()).isNotEqualTo(whole.data());
  }

  @Test
  void enhancingTheHardestTilesGainsOverTheStaticConfigurationWithinTheBudget() throws Exception {
    Image lr = QuantSrRunnerTest.luma("astronaut-lr.png", 128);
    Image hr = QuantSrRunnerTest.luma("astronaut-hr.png", 256);
    int n = graph.convs().size();
    List<Integer> all8 = Collections.nCopies(n, 8);
    List<Integer> all16 = Collections.nCopies(n, 16);
    QuantSrRunner static8 = new QuantSrRunner(graph, ranges, all8);
    Set<String> everyLayer =
        graph.convs().stream().map(SrGraph.ConvOp::output).collect(Collectors.toSet());
    UnaryOperator<Image> enhanced = new QuantSrRunner(graph, ranges, all16, everyLayer)::run;
    var npu = NpuProfiles.resolve("fluid-npu");
    // Enhanced tiles (all-A16W8 with DRE on every layer) are charged the all-A16W8 time only.
    TileCost perPixel =
        new TileCost(
            HybridPrecisionLatency.nanos(model, graph, all8, npu, 64) / (64 * 64),
            HybridPrecisionLatency.nanos(model, graph, all16, npu, 64) / (64 * 64),
            0);
    TileCodec codec = new TileCodec(32, 6, 2);
    TileCodec.Outcome none = codec.run(lr, static8::run, enhanced, perPixel, 0);
    TileCodec.Outcome all = codec.run(lr, static8::run, enhanced, perPixel, Double.MAX_VALUE);
    TileCodec.Outcome half =
        codec.run(lr, static8::run, enhanced, perPixel, (none.nanos() + all.nanos()) / 2);
    double pStatic = Psnr.of(none.image(), hr, 2);
    double pHalf = Psnr.of(half.image(), hr, 2);
    double pAll = Psnr.of(all.image(), hr, 2);
    System.out.printf(
        "sr-x2 codec (astronaut 128x128, 16 tiles, calibrated on the shipped calibration set): static A8W8"
            + " %.3f dB %.1f us; hardest %d tiles enhanced (DRE, A16W8) %.3f dB %.1f us; all enhanced %.3f dB %.1f us%n",
        pStatic,
        none.nanos() / 1e3,
        half.enhanced(),
        pHalf,
        half.nanos() / 1e3,
        pAll,
        all.nanos() / 1e3);
    assertThat(none.enhanced()).isZero();
    assertThat(all.enhanced()).isEqualTo(all.tiles());
    assertThat(half.enhanced()).isBetween(1, half.tiles() - 1);
    assertThat(half.nanos()).isLessThanOrEqualTo((none.nanos() + all.nanos()) / 2);
    assertThat(pHalf).isGreaterThan(pStatic);
    assertThat(pAll).isGreaterThan(pHalf);
  }
}
