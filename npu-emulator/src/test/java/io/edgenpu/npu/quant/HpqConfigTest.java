package io.edgenpu.npu.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HpqConfigTest {
  @TempDir Path model;

  private void write(String name, String json) throws IOException {
    Files.createDirectories(model.resolve("hpq"));
    Files.writeString(model.resolve("hpq").resolve(name), json);
  }

  @Test
  void readsFeasibleConfigurationsWithTheRightNumberOfLayers() throws IOException {
    write(
        "eps-0.10.json",
        """
        {"eps_db": 0.1, "feasible": true, "layers": [{"name": "a", "act_bits": 8}, {"name": "b", "act_bits": 16}]}""");
    write(
        "eps-0.02.json",
        """
        {"feasible": true, "eps_db": 0.02, "model": "with \\"quotes\\"",
         "layers": [{"act_bits": 16}, {"act_bits": 16}]}""");
    write(
        "eps-0.01.json",
        """
        {"eps_db": 0.01, "feasible": false, "layers": [{"act_bits": 16}, {"act_bits": 16}]}""");
    write(
        "three.json",
        """
        {"eps_db": 0.5, "feasible": true, "layers": [{"act_bits": 8}, {"act_bits": 8}, {"act_bits": 8}]}""");
    write(
        "no-eps.json",
        """
        {"feasible": true, "layers": [{"act_bits": 8}, {"act_bits": 8}]}""");
    Files.writeString(model.resolve("hpq").resolve("notes.txt"), "not a configuration");

    assertThat(HpqConfig.readFeasible(model, 2))
        .containsExactly(
            new HpqConfig("eps-0.02", 0.02, List.of(16, 16)),
            new HpqConfig("eps-0.10", 0.1, List.of(8, 16)));
  }

  @Test
  void noFolderMeansNoConfigurations() throws IOException {
    assertThat(HpqConfig.readFeasible(model, 4)).isEmpty();
  }

  @Test
  void aBrokenFileIsAnErrorNamingIt() throws IOException {
    write("eps-0.05.json", "{\"eps_db\": 0.05, \"feasible\": tru");
    assertThatThrownBy(() -> HpqConfig.readFeasible(model, 2))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("eps-0.05.json");
  }
}
