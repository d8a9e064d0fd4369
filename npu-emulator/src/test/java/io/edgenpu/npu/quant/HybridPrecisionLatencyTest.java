package io.edgenpu.npu.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.profile.NpuProfiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The latency ladder in emulation on the shipped x2 SR network: all-A8W8 <= mixed <= all-A16W8. */
class HybridPrecisionLatencyTest {
  @Test
  void eightBitLayersAreFasterThanSixteenBitOnes() throws Exception {
    OnnxModel model =
        OnnxModel.read(Path.of("..", "models", "repository", "sr-x2", "1", "model.onnx"));
    SrGraph graph = SrGraph.from(model);
    NpuProfile npu = NpuProfiles.resolve("fluid-npu");
    int n = graph.convs().size();
    double a8 = HybridPrecisionLatency.nanos(model, graph, Collections.nCopies(n, 8), npu, 64);
    double a16 = HybridPrecisionLatency.nanos(model, graph, Collections.nCopies(n, 16), npu, 64);
    List<Integer> firstSixteen = new ArrayList<>(Collections.nCopies(n, 8));
    firstSixteen.set(0, 16);
    double mixed = HybridPrecisionLatency.nanos(model, graph, firstSixteen, npu, 64);
    System.out.printf(
        "sr-x2 64x64 on fluid-npu: A8W8 %.1f us, first layer A16 %.1f us, A16W8 %.1f us%n",
        a8 / 1e3, mixed / 1e3, a16 / 1e3);
    assertThat(a8).isLessThan(mixed);
    assertThat(mixed).isLessThan(a16);
  }
}
