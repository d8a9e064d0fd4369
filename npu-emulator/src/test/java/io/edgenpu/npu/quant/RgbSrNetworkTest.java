package io.edgenpu.npu.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.profile.NpuProfiles;
import io.edgenpu.npu.quant.SrGraph.Image;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The converted UpscalerJS ESRGAN-slim x2 network (RGB, 0..255, models/convert/esrgan.py) in the
 * emulator: read as NPU operations (5x5, 3x3 and 1x1 convolutions, concatenations, residual adds,
 * nearest upsampling), the float interpreter reproduces ONNX Runtime's PSNR from the entry's
 * metrics.json, the integer runs keep the quality ladder, tiles with a halo of the receptive radius
 * stitch to the untiled integer output, and the latency model prices it.
 */
class RgbSrNetworkTest {
  private static final Path DIR = Path.of("..", "models", "repository", "esrgan-slim-x2");
  private static OnnxModel model;
  private static SrGraph graph;
  private static Map<String, double[]> ranges;

  @BeforeAll
  static void load() throws Exception {
    model = OnnxModel.read(DIR.resolve("1").resolve("model.onnx"));
    graph = SrGraph.from(model);
    List<HpqSearch.Pair> cal =
        SrCalibration.read(Path.of("..", "models", "repository", "esrgan-slim-x2-nawq"), 3);
    ranges = SrCalibration.ranges(graph, cal.stream().map(HpqSearch.Pair::lr).toList());
  }

  private static Image image(String file) throws Exception { // esrgan-slim-x2's evaluation pairs
    return RgbImages.read(DIR.resolve("eval").resolve(file), 3);
  }

  private static Image crop(Image x, int size) {
    return TileCodec.crop(x, new TileCodec.Tile(0, 0, size, size, 0, 0, size, size));
  }

  @Test
  void readsTheNetworkAsNpuOperations() {
    assertThat(graph.convs()).hasSize(12);
    assertThat(graph.convs().stream().map(SrGraph.ConvOp::kernel).distinct().sorted())
        .containsExactly(1, 3, 5);
    assertThat(graph.ops().stream().filter(SrGraph.ConcatOp.class::isInstance)).hasSize(3);
    assertThat(graph.ops().stream().filter(SrGraph.AddOp.class::isInstance)).hasSize(3);
    assertThat(graph.ops().stream().filter(SrGraph.UpsampleOp.class::isInstance)).hasSize(1);
    assertThat(graph.inputChannels()).isEqualTo(3);
    assertThat(SrCalibration.scale(graph)).isEqualTo(2);
    // 3x3 convs F_m1, F_0, F_1_1, F_2_1, GFF_2 on the longest path (5), UPN1 5x5 (2), UPN2 and
    // UPN3 (2), then SR's 3x3 at twice the resolution (half a pixel): 9.5, rounded up.
    assertThat(graph.receptiveRadius()).isEqualTo(10);
  }

  /** The float interpreter of each RGB entry against ONNX Runtime's PSNR in its metrics.json. */
  @ParameterizedTest
  @ValueSource(strings = {"esrgan-slim-x2", "esrgan-slim-x4", "edsr-x2"})
  void floatInterpreterReproducesOnnxRuntimeOnAHeldOutImage(String name) throws Exception {
    Path dir = Path.of("..", "models", "repository", name);
    JsonNode metrics =
        JsonMapper.builder()
            .build()
            .readTree(Files.readString(dir.resolve("eval").resolve("metrics.json")));
    JsonNode first = metrics.path("held_out").get(0);
    assertThat(first.path("image").asString()).isEqualTo("astronaut");
    SrGraph g = SrGraph.from(OnnxModel.read(dir.resolve("1").resolve("model.onnx")));
    Image lr = RgbImages.read(dir.resolve("eval").resolve("astronaut-lr.png"), 3);
    Image hr = RgbImages.read(dir.resolve("eval").resolve("astronaut-hr.png"), 3);
    int scale = metrics.path("scale").intValue();
    assertThat(Psnr.of(g.runFloat(lr, null), hr, scale))
        .isCloseTo(first.path("psnr_rgb_fp32").doubleValue(), within(0.02));
  }

  @Test
  void integerRunsKeepTheQualityLadderAndTilesStitchExactly() throws Exception {
    Image lr = crop(image("chelsea-lr.png"), 48);
    Image hr = crop(image("chelsea-hr.png"), 96);
    int n = graph.convs().size();
    QuantSrRunner a8 = new QuantSrRunner(graph, ranges, Collections.nCopies(n, 8));
    double fp32 = Psnr.of(graph.runFloat(lr, null), hr, 2);
    double weights8 = Psnr.of(graph.withInt8Weights().runFloat(lr, null), hr, 2);
    double p16 =
        Psnr.of(new QuantSrRunner(graph, ranges, Collections.nCopies(n, 16)).run(lr), hr, 2);
    Image whole = a8.run(lr);
    double p8 = Psnr.of(whole, hr, 2);
    assertThat(Math.abs(p16 - weights8)).isLessThan(0.02); // 16-bit activations lose ~nothing
    assertThat(p8).isLessThan(p16);
    assertThat(fp32 - p8).isLessThan(1.0);
    TileCodec codec = new TileCodec(16, graph.receptiveRadius(), 2);
    Image tiled = codec.run(lr, a8::run, a8::run, TileCost.flat(1), 0).image();
    assertThat(tiled.channels()).isEqualTo(3);
    assertThat(tiled.data()).containsExactly(whole.data());
  }

  @Test
  void dynamicRangeEstimationOnTheTopLayersIsPricedPerPixelAndPerTile() {
    var npu = NpuProfiles.resolve("fluid-npu");
    int n = graph.convs().size();
    double all8 = HybridPrecisionLatency.nanos(model, graph, Collections.nCopies(n, 8), npu, 64);
    double all16 = HybridPrecisionLatency.nanos(model, graph, Collections.nCopies(n, 16), npu, 64);
    assertThat(all16).isGreaterThan(1.5 * all8);
    double[] sensitivity = new double[n];
    sensitivity[4] = 0.3;
    sensitivity[7] = 0.2;
    sensitivity[1] = 0.1;
    DynamicRangeEstimation dre =
        DynamicRangeEstimation.topK(
            graph, sensitivity, 2, npu, DynamicRangeEstimation.DEFAULT_SYNC_NANOS);
    assertThat(dre.layers())
        .containsExactlyInAnyOrder(graph.convs().get(4).output(), graph.convs().get(7).output());
    assertThat(dre.nanosPerTile()).isEqualTo(2 * DynamicRangeEstimation.DEFAULT_SYNC_NANOS);
    // Both chosen layers are LR-resolution convolutions: their channels x 8 bytes per LR pixel.
    double elements = graph.convs().get(4).outChannels() + graph.convs().get(7).outChannels();
    assertThat(dre.nanosPerPixel(graph))
        .isCloseTo(elements * 8 / npu.dramBytesPerSecond() * 1e9, within(1e-9));
    QuantSrRunner withDre =
        new QuantSrRunner(graph, ranges, Collections.nCopies(n, 8), Set.copyOf(dre.layers()));
    assertThat(withDre.run(crop(new Image(new float[3 * 20 * 20], 3, 20, 20), 20)).channels())
        .isEqualTo(3);
  }
}
