package io.edgenpu.service.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import io.edgenpu.repository.ModelConfigParser;
import io.edgenpu.service.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A model's ONNX Runtime sessions outlive {@link ModelInstance#close()} while a stage still
 * computes on them (a stage that a time limit or a cancel abandoned): ONNX Runtime does not guard a
 * session's close against a run in progress.
 */
class ModelInstanceLeaseTest {
  @Test
  void closingWhileAStageHoldsALeaseFreesTheSessionsOnlyWhenTheStageEnds() throws Exception {
    Path repo = TestModels.repository(Files.createTempDirectory("edgenpu-lease-repo"));
    Path dir = repo.resolve("affine");
    int before = OrtGraph.openSessions();
    ModelInstance model =
        new PlainModel(
            OrtEnvironment.getEnvironment(),
            ModelConfigParser.parse(dir, "cpu"),
            1,
            dir.resolve("1"),
            1);
    assertThat(OrtGraph.openSessions()).isEqualTo(before + 1);
    ModelInstance.Lease running = model.lease(); // a stage is computing
    model.close(); // the version is unloaded meanwhile
    assertThat(model.isClosed()).isTrue();
    assertThat(OrtGraph.openSessions())
        .as("the session stays open for the running stage")
        .isEqualTo(before + 1);
    assertThatThrownBy(model::lease).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> model.runStage(0, List.of()))
        .isInstanceOf(IllegalStateException.class);
    running.close();
    assertThat(OrtGraph.openSessions()).isEqualTo(before);
    running.close(); // idempotent
    assertThat(OrtGraph.openSessions()).isEqualTo(before);
  }
}
