package io.edgenpu.experiments.fabnet;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.npu.onnx.LayerForms;
import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.onnx.proto.OnnxProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The graph counter against counts derived by hand from the shipped ListOps graphs' shapes (L 256,
 * d 64, FFN 128, 2 blocks, 2 heads, a 64->128->10 head), and its parameter count against the
 * training script's.
 */
class GraphCostTest {
  private static final Path REPO = Path.of("..", "models", "repository");
  private static final long L = 256;
  private static final long D = 64;
  private static final long H = 128;
  private static final long HEAD = D * H + H * 10;

  private static GraphCost cost(String model, String file) throws Exception {
    return GraphCost.of(file, OnnxModel.read(REPO.resolve(model + "/1/" + file)));
  }

  private static long trainedParameters(String model) throws Exception {
    return JsonMapper.builder()
        .build()
        .readTree(Files.readString(REPO.resolve(model + "/eval/metrics.json")))
        .path("parameters")
        .asLong();
  }

  @Test
  void transformerMacsAreTheProjectionsAttentionAndFfnOfEachBlockPlusTheHead() throws Exception {
    GraphCost c = cost("transformer-listops", "model.onnx");
    long perBlock = L * D * 3 * D + 2 * L * L * D + L * D * D + 2 * L * D * H;
    assertThat(c.unsupported()).isEmpty();
    assertThat(c.matrixMacs()).isEqualTo(2 * perBlock + HEAD);
    assertThat(c.fftFlops()).isZero();
    assertThat(c.floatConstants()).isEqualTo(trainedParameters("transformer-listops"));
  }

  @Test
  void servedFabnetMacsAreTheHalfSpectrumFftAndTheButterfliesInEitherForm() throws Exception {
    OnnxProto.ModelProto m =
        OnnxProto.ModelProto.parseFrom(
            Files.readAllBytes(REPO.resolve("fabnet-listops/1/model.onnx")));
    long half = D / 2 + 1; // Hermitian: hidden columns 0..d/2
    long l1 = 16;
    long l2 = 16; // four-step FFT: L = 16 x 16
    long fft = L * D * 2 * half + (2 * l2) * (2 * l2) * l1 * half + l2 * l1 * 2 * l1 * half;
    long dense = 2 * L * D * H;
    // Factored: 64 -> 128 is 2 stacks of n 64 (r = c = 8); 128 -> 64 is n 128 (c 8, r 16).
    long factored = L * (2 * 64 * (8 + 8) + 128 * (16 + 8));
    GraphCost d = GraphCost.of("model.onnx", m);
    assertThat(d.unsupported()).isEmpty();
    assertThat(d.matrixMacs()).isEqualTo(2 * (fft + dense) + HEAD);
    assertThat(d.opCounts()).doesNotContainKey("Einsum").containsEntry("Identity", 4);
    Map<String, Boolean> all = new HashMap<>();
    LayerForms.flags(m).forEach(f -> all.put(f, true));
    GraphCost f = GraphCost.of("model.onnx", LayerForms.with(m, all));
    assertThat(f.matrixMacs()).isEqualTo(2 * (fft + factored) + HEAD);
    assertThat(f.opCounts()).containsEntry("Einsum", 8);
    assertThat(d.floatConstants()).isGreaterThan(trainedParameters("fabnet-listops"));
  }

  @Test
  void stageGraphStoresTheTrainedParametersAndCountsItsFftsAsFfts() throws Exception {
    GraphCost c = cost("fabnet-listops", "butterfly-stages.onnx");
    assertThat(c.unsupported()).isEmpty();
    // Only the classifier head is a matrix product; the one extra constant is the pooling's 1.0.
    assertThat(c.matrixMacs()).isEqualTo(HEAD);
    assertThat(c.floatConstants()).isEqualTo(trainedParameters("fabnet-listops") + 1);
    // Per block: a length-64 FFT per token and a length-256 FFT per hidden channel.
    long ffts = 2 * (L * 5 * D * 6 + D * 5 * L * 8);
    assertThat(c.fftFlops()).isEqualTo(ffts);
  }
}
