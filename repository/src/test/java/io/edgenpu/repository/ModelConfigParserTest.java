package io.edgenpu.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgenpu.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code config.yaml} is parsed strictly: every mistake is a {@link ConfigException} that names the
 * file, the line of the offending key and the reason; unknown keys are mistakes, never silently
 * ignored.
 */
class ModelConfigParserTest {
  @TempDir Path dir;

  private Path model(String yaml) throws IOException {
    Path m = dir.resolve("m");
    Files.createDirectories(m.resolve("1"));
    Files.writeString(m.resolve("config.yaml"), yaml);
    return m;
  }

  /** A broken config, the line its error must name, and a phrase of the reason. */
  static Stream<Arguments> broken() {
    String plain = "kind: plain\n";
    String ee =
        """
        kind: early-exit
        stages:
          - {graph: s0.onnx, exit: {graph: e0.onnx, threshold: 0.8}}
          - {graph: s1.onnx, exit: {graph: e1.onnx}}
        """;
    return Stream.of(
        Arguments.of("no kind", "description: x\n", 1, "'kind' is missing"),
        Arguments.of("unknown kind", "kind: magic\n", 1, "kind"),
        Arguments.of("unknown top-level key", plain + "colour: blue\n", 2, "colour"),
        Arguments.of("max batch out of range", plain + "max-batch-size: 0\n", 2, "between 1 and"),
        Arguments.of("bad duration", plain + "slo: soon\n", 2, "slo"),
        Arguments.of(
            "unknown datatype",
            plain + "inputs:\n  - {name: x, datatype: FLOAT7, shape: [4]}\n",
            3,
            "unknown datatype"),
        Arguments.of(
            "zero dimension",
            plain + "inputs:\n  - {name: x, datatype: FP32, shape: [0]}\n",
            3,
            "positive or -1"),
        Arguments.of(
            "duplicate input",
            plain
                + "inputs:\n  - {name: x, datatype: FP32, shape: [4]}\n  - {name: x, datatype: FP32, shape: [4]}\n",
            4,
            "duplicate"),
        Arguments.of(
            "unknown tensor key",
            plain + "inputs:\n  - {name: x, datatype: FP32, shape: [4], dtype: FP32}\n",
            3,
            "dtype"),
        Arguments.of(
            "stages on a plain model", plain + "stages:\n  - {graph: a.onnx}\n", 3, "no stages"),
        Arguments.of(
            "one stage only",
            "kind: early-exit\nstages:\n  - {graph: s0.onnx, exit: {graph: e0.onnx}}\n",
            3,
            "at least two"),
        Arguments.of(
            "intermediate exit without threshold",
            ee.replace(", threshold: 0.8", ""),
            3,
            "threshold"),
        Arguments.of(
            "last stage without exit",
            ee.replace(", exit: {graph: e1.onnx}", ""),
            4,
            "last stage needs an exit"),
        Arguments.of("exit prior of the wrong length", ee + "exit-prior: [0.5]\n", 5, "expected 2"),
        Arguments.of("exit prior not ending at 1", ee + "exit-prior: [0.5, 0.9]\n", 5, "must be 1"),
        Arguments.of(
            "unknown policy",
            plain + "scheduling:\n  policy: psychic\n",
            3,
            "unknown batching policy"),
        Arguments.of(
            "unknown policy parameter",
            plain
                + "scheduling:\n  policy: dynamic\n  parameters: {max-queue-delay: 1ms, speed: 11}\n",
            4,
            "speed"),
        Arguments.of(
            "priority out of range",
            plain + "scheduling:\n  priority-levels: 2\n  default-priority: 3\n",
            4,
            "default-priority"),
        Arguments.of(
            "unknown queue order",
            plain + "scheduling:\n  order: random\n",
            3,
            "fair, fifo or earliest-deadline"),
        Arguments.of(
            "butterfly device without its shape", plain + "device: butterfly\n", 2, "butterfly"),
        Arguments.of(
            "warm-up batch over the max",
            plain + "max-batch-size: 4\nwarmup:\n  batch-sizes: [8]\n",
            4,
            "warm-up batch sizes"),
        Arguments.of(
            "warm-up sample that does not exist",
            plain + "warmup:\n  sample: nowhere.json\n",
            3,
            "not a file"),
        Arguments.of("unknown warm-up key", plain + "warmup:\n  count: 3\n", 3, "count"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("broken")
  void everyMistakeNamesTheFileTheLineAndTheReason(
      String name, String yaml, int line, String reason) throws IOException {
    Path m = model(yaml);
    assertThatThrownBy(() -> ModelConfigParser.parse(m, "npu"))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.file()).endsWith("config.yaml");
              assertThat(e.line()).as("line of: %s", e.getMessage()).isEqualTo(line);
            })
        .hasMessageContaining("config.yaml:" + line + ":")
        .hasMessageContaining(reason);
  }

  @Test
  void aMissingConfigIsAnErrorTooAndDefaultsAreSensible() throws IOException {
    Path empty = dir.resolve("empty");
    Files.createDirectories(empty);
    assertThatThrownBy(() -> ModelConfigParser.parse(empty, "npu"))
        .hasMessageContaining("missing config.yaml");

    ModelConfig c = ModelConfigParser.parse(model("kind: plain\n"), "cpu");
    assertThat(c.device()).isEqualTo("cpu");
    assertThat(c.maxBatchSize()).isEqualTo(8);
    assertThat(c.scheduling().policy()).isEqualTo("work-conserving");
    assertThat(c.warmup().enabled()).isTrue();
    assertThat(c.warmup().batchSizes()).isEmpty();
    assertThat(c.graph()).isEqualTo("model.onnx");
  }
}
