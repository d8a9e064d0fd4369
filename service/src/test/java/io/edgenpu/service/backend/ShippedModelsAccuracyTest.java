package io.edgenpu.service.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OrtEnvironment;
import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.repository.ModelConfig;
import io.edgenpu.repository.ModelConfigParser;
import io.edgenpu.service.testing.TestModels;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Each shipped model, loaded through ONNX Runtime as the service loads it, reproduces the headline
 * metric of its model card on the committed evaluation data.
 */
class ShippedModelsAccuracyTest {
  private static final Path REPO = TestModels.shippedRepository();
  private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

  private static JsonNode metrics(String model) throws Exception {
    return metrics(REPO.resolve(model));
  }

  private static JsonNode metrics(Path modelDir) throws Exception {
    return JsonMapper.builder()
        .build()
        .readTree(Files.readString(modelDir.resolve("eval/metrics.json")));
  }

  @Test
  void earlyExitCnnMatchesItsModelCard() throws Exception {
    earlyExitModelMatchesItsCard(REPO.resolve("ee-digits"));
  }

  /** The live experiment's wide model (models/live), which the default repository leaves out. */
  @Test
  void earlyExitResNet18MatchesItsModelCard() throws Exception {
    earlyExitModelMatchesItsCard(REPO.resolveSibling("live").resolve("ee-resnet18-digits"));
  }

  private static void earlyExitModelMatchesItsCard(Path dir) throws Exception {
    ModelConfig config = ModelConfigParser.parse(dir, "npu");
    byte[] images = Files.readAllBytes(dir.resolve("eval/images-u8.bin"));
    byte[] labels = Files.readAllBytes(dir.resolve("eval/labels-u8.bin"));
    int n = labels.length;
    assertThat(images).hasSize(n * 32 * 32);
    try (ModelInstance model = new EarlyExitModel(ENV, config, 1, dir.resolve("1"), 2)) {
      int correctEarly = 0;
      int correctFull = 0;
      int[] exits = new int[4];
      for (int start = 0; start < n; start += 8) {
        int end = Math.min(n, start + 8);
        List<SampleState> early = new ArrayList<>();
        List<SampleState> full = new ArrayList<>();
        for (int i = start; i < end; i++) {
          float[] px = new float[32 * 32];
          for (int k = 0; k < px.length; k++) {
            px[k] = (images[i * 1024 + k] & 0xFF) / 255f;
          }
          Tensor t = Tensor.ofFloats(new long[] {1, 1, 32, 32}, px);
          early.add(new SampleState(Map.of("image", t), Double.NaN));
          full.add(
              new SampleState(Map.of("image", t), 2.0)); // threshold above 1: never exits early
        }
        runAllStages(model, early);
        runAllStages(model, full);
        for (int i = start; i < end; i++) {
          SampleState e = early.get(i - start);
          exits[e.exitIndex()]++;
          correctEarly += argmax(e) == labels[i] ? 1 : 0;
          correctFull += argmax(full.get(i - start)) == labels[i] ? 1 : 0;
        }
      }
      JsonNode card = metrics(dir);
      assertThat((double) correctFull / n)
          .isCloseTo(card.get("accuracy_full_depth").doubleValue(), within(0.004));
      assertThat((double) correctEarly / n)
          .isCloseTo(card.get("accuracy_early_exit").doubleValue(), within(0.004));
      for (int e = 0; e < 4; e++) {
        assertThat((double) exits[e] / n)
            .isCloseTo(card.get("exit_rates").get(e).doubleValue(), within(0.006));
      }
    }
  }

  /**
   * Runs stages in order, each on the samples that have not exited yet (what the scheduler does).
   */
  private static void runAllStages(ModelInstance model, List<SampleState> samples)
      throws Exception {
    List<SampleState> live = new ArrayList<>(samples);
    for (int s = 0; s < model.plan().stageCount() && !live.isEmpty(); s++) {
      model.runStage(s, live);
      live.removeIf(SampleState::hasOutputs);
    }
  }

  private static int argmax(SampleState s) {
    float[] p = s.outputs().get("probabilities").toFloatArray();
    int best = 0;
    for (int i = 1; i < p.length; i++) {
      if (p[i] > p[best]) {
        best = i;
      }
    }
    return best;
  }

  @Test
  void superResolutionMatchesItsModelCard() throws Exception {
    for (int scale : new int[] {2, 4}) {
      String name = "sr-x" + scale;
      try (OrtGraph g = new OrtGraph(ENV, REPO.resolve(name + "/1/model.onnx"), 2)) {
        BufferedImage lr = ImageIO.read(REPO.resolve(name + "/eval/astronaut-lr.png").toFile());
        BufferedImage hr = ImageIO.read(REPO.resolve(name + "/eval/astronaut-hr.png").toFile());
        int h = lr.getHeight();
        int w = lr.getWidth();
        float[] in = new float[h * w];
        Raster r = lr.getRaster();
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            in[y * w + x] = r.getSample(x, y, 0) / 255f;
          }
        }
        float[] out =
            g.run(Map.of("lr", Tensor.ofFloats(new long[] {1, 1, h, w}, in)))
                .get("sr")
                .toFloatArray();
        double psnr = psnr(out, hr.getRaster(), w * scale, h * scale, scale);
        double expected = metrics(name).get("held_out").get(0).get("psnr_sr").doubleValue();
        assertThat(psnr).as(name + " PSNR on astronaut").isCloseTo(expected, within(0.05));
      }
    }
  }

  @Test
  void listOpsModelsMatchTheirModelCards() throws Exception {
    for (String name : new String[] {"fabnet-listops", "transformer-listops"}) {
      byte[] tokens = Files.readAllBytes(REPO.resolve(name + "/eval/tokens-u8.bin"));
      byte[] labels = Files.readAllBytes(REPO.resolve(name + "/eval/labels-u8.bin"));
      int n = labels.length;
      int length = tokens.length / n;
      int correct = 0;
      try (OrtGraph g = new OrtGraph(ENV, REPO.resolve(name + "/1/model.onnx"), 2)) {
        for (int start = 0; start < n; start += 50) {
          int rows = Math.min(50, n - start);
          long[] ids = new long[rows * length];
          for (int i = 0; i < ids.length; i++) {
            ids[i] = tokens[start * length + i] & 0xFF;
          }
          float[] p =
              g.run(Map.of("tokens", Tensor.ofLongs(new long[] {rows, length}, ids)))
                  .get("probabilities")
                  .toFloatArray();
          for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int c = 1; c < 10; c++) {
              if (p[r * 10 + c] > p[r * 10 + best]) {
                best = c;
              }
            }
            correct += best == labels[start + r] ? 1 : 0;
          }
        }
      }
      assertThat((double) correct / n)
          .as(name)
          .isCloseTo(metrics(name).get("onnx_subset_accuracy_500").doubleValue(), within(0.003));
    }
  }

  /**
   * Y-channel PSNR with the output rounded to 8 bits and a border of {@code border} pixels cropped.
   */
  static double psnr(float[] out, Raster hr, int w, int h, int border) {
    double se = 0;
    long n = 0;
    for (int y = border; y < h - border; y++) {
      for (int x = border; x < w - border; x++) {
        double v = Math.round(Math.max(0, Math.min(1, out[y * w + x])) * 255) / 255.0;
        double d = v - hr.getSample(x, y, 0) / 255.0;
        se += d * d;
        n++;
      }
    }
    return 10 * Math.log10(1 / (se / n));
  }
}
