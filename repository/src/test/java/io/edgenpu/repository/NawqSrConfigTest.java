package io.edgenpu.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgenpu.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code nawq-sr} kind: parsed like a plain model (one graph, one stage), refused with stages;
 * the shipped entries parse.
 */
class NawqSrConfigTest {
  @TempDir Path dir;

  @Test
  void parsesAsOneGraphOneStage() throws Exception {
    Path m = Files.createDirectories(dir.resolve("sr-q"));
    Files.writeString(m.resolve("config.yaml"), "kind: nawq-sr\nmax-batch-size: 16\nslo: 2s\n");
    ModelConfig c = ModelConfigParser.parse(m, "npu");
    assertThat(c.kind()).isEqualTo(ModelKind.NAWQ_SR);
    assertThat(c.graph()).isEqualTo("model.onnx");
    assertThat(c.stageCount()).isEqualTo(1);
    assertThat(c.isEarlyExit()).isFalse();
  }

  @Test
  void refusesStages() throws Exception {
    Path m = Files.createDirectories(dir.resolve("sr-q"));
    Files.writeString(m.resolve("config.yaml"), "kind: nawq-sr\nstages:\n  - {graph: a.onnx}\n");
    assertThatThrownBy(() -> ModelConfigParser.parse(m, "npu"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("stages");
  }

  @Test
  void theShippedEntriesParse() throws Exception {
    for (String name : new String[] {"sr-x2-nawq", "sr-x4-nawq"}) {
      ModelConfig c = ModelConfigParser.parse(Path.of("..", "models", "repository", name), "npu");
      assertThat(c.kind()).isEqualTo(ModelKind.NAWQ_SR);
      assertThat(c.inputs())
          .singleElement()
          .satisfies(t -> assertThat(t.name()).isEqualTo("image"));
      assertThat(c.outputs())
          .singleElement()
          .satisfies(t -> assertThat(t.name()).isEqualTo("image_sr"));
    }
  }
}
