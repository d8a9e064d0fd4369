package io.edgenpu.service.nawq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.npu.profile.NpuProfiles;
import io.edgenpu.npu.quant.LumaImages;
import io.edgenpu.npu.quant.SrGraph.Image;
import io.edgenpu.repository.ModelConfig;
import io.edgenpu.repository.ModelConfigParser;
import io.edgenpu.scheduler.core.FailureReason;
import io.edgenpu.scheduler.core.Request;
import io.edgenpu.scheduler.core.RequestListener;
import io.edgenpu.scheduler.core.StageBatch;
import io.edgenpu.scheduler.core.StageOutcome;
import io.edgenpu.scheduler.loop.VirtualEventLoop;
import io.edgenpu.service.backend.BadInputException;
import io.edgenpu.service.backend.DeviceProgram;
import io.edgenpu.service.backend.ModelInstance;
import io.edgenpu.service.backend.NawqSrModel;
import io.edgenpu.service.backend.SampleState;
import io.edgenpu.service.device.EmulatedNpuAccelerator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tiles of two requests as one batch on the emulated NPU (virtual time): the device holds the
 * batch for exactly the sum of the tiles' emulated times, every tile is computed, and each
 * request's stitched image equals the engine's own run of that image; request parameters are
 * validated.
 */
class SrTilesOnTheNpuTest {
  private static final Path ENTRY = Path.of("..", "models", "repository", "sr-x2-nawq");
  private static ModelInstance model;
  private static SrEngine engine;
  private static Image lr;

  @BeforeAll
  static void load() throws Exception {
    ModelConfig config = ModelConfigParser.parse(ENTRY, "npu");
    engine =
        new SrEngine(
            ENTRY.resolve("1").resolve(config.graph()),
            ENTRY,
            NpuProfiles.resolve("fluid-npu"),
            32); // small tiles, so a 40x40 image has four
    model = new NawqSrModel(config, 1, ENTRY.resolve("1"), SrRequests.planner(engine));
    lr =
        LumaImages.read(Path.of("..", "models", "repository", "sr-x2", "eval", "china-lr.png"), 40);
  }

  private static Tensor uint8(Image img) {
    return SrRequests.toUint8(img);
  }

  @Test
  void twoRequestsTilesShareOneBatchAndTheDeviceChargesTheirSum() {
    SrRequests.Job strict = SrRequests.plan(engine, uint8(lr), Map.of());
    SrRequests.Job loose = SrRequests.plan(engine, uint8(lr), Map.of(SrRequests.MAX_DROP_DB, 0.1));
    assertThat(strict.samples()).hasSize(4); // 40x40 in 32x32 tiles
    List<SampleState> states = new ArrayList<>(strict.samples());
    states.addAll(loose.samples());
    double expected = states.stream().mapToDouble(s -> s.program().modelledNanos()).sum();
    Request request =
        Request.builder(
                model.key(),
                new RequestListener() {
                  @Override
                  public void onCompleted(Request r) {}

                  @Override
                  public void onFailed(Request r, FailureReason reason, String message) {}
                })
            .samples(states.size(), states::get)
            .build();

    VirtualEventLoop loop = new VirtualEventLoop();
    EmulatedNpuAccelerator npu =
        new EmulatedNpuAccelerator(loop, Runnable::run, NpuProfiles.resolve("fluid-npu"), 1.0);
    npu.add(model);
    AtomicReference<StageOutcome> outcome = new AtomicReference<>();
    npu.execute(
        new StageBatch(model.key(), 0, request.samples(), 0, false, loop.now()), outcome::set);
    loop.runUntilIdle();

    assertThat(outcome.get().failure()).isNull();
    assertThat(outcome.get().exited()).containsOnly(true);
    assertThat(outcome.get().deviceNanos()).isEqualTo(Math.round(expected));
    assertThat(loop.now()).isEqualTo(Math.round(expected));
    assertThat(npu.modelledNanos()).isEqualTo(Math.round(expected));
    // The precision meter splits that time by the tiles' precisions.
    long byPrecision = DeviceProgram.PRECISIONS.stream().mapToLong(npu::precisionNanos).sum();
    assertThat(byPrecision).isCloseTo(Math.round(expected), Assertions.within(8L));
    assertThat(npu.precisionNanos("a16w8"))
        .isEqualTo(
            strict.samples().stream()
                .mapToLong(x -> Math.round(x.program().modelledNanos()))
                .sum());
    assertThat(strict.parameters())
        .containsEntry("nawq_config", "all-A16W8")
        .containsEntry("tiles", 4L);
    assertThat(loose.parameters()).containsEntry("nawq_config", engine.choose(0.1).name());
    // Each request's tiles stitch to what the engine computes for that image on its own.
    assertThat(strict.assemble().toUint8Array())
        .containsExactly(
            SrRequests.toUint8(SrEngine.runHere(engine.plan(lr, 0, 0))).toUint8Array());
    assertThat(loose.assemble().toUint8Array())
        .containsExactly(
            SrRequests.toUint8(SrEngine.runHere(engine.plan(lr, 0.1, 0))).toUint8Array());
    assertThat(strict.assemble().shape()).containsExactly(1, 1, 80, 80);
  }

  @Test
  void theLooserConfigurationIsCheaperAndBudgetsBuyEnhancedTiles() {
    double strict = engine.plan(lr, 0, 0).npuMicros();
    double loose = engine.plan(lr, 0.1, 0).npuMicros();
    SrEngine.Plan rich = engine.plan(lr, 0.1, 1e6);
    assertThat(loose).isLessThan(strict);
    assertThat(rich.enhancedTiles()).isEqualTo(4);
    assertThat(rich.npuMicros()).isGreaterThan(loose);
    SrEngine.Plan some = engine.plan(lr, 0.1, (loose + rich.npuMicros()) / 2);
    assertThat(some.enhancedTiles()).isBetween(1, 3);
    assertThat(some.npuMicros()).isLessThanOrEqualTo((loose + rich.npuMicros()) / 2);
  }

  @Test
  void badParametersAreRefused() {
    assertThatThrownBy(
            () -> SrRequests.plan(engine, uint8(lr), Map.of(SrRequests.MAX_DROP_DB, -1.0)))
        .isInstanceOfSatisfying(BadInputException.class, e -> assertThat(e.tooLarge()).isFalse())
        .hasMessageContaining("max_drop_db");
    assertThatThrownBy(
            () -> SrRequests.plan(engine, uint8(lr), Map.of(SrRequests.BUDGET_US, "soon")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("budget_us");
    Tensor huge = Tensor.ofUint8(new long[] {1, 1, 1025, 1024}, new byte[1025 * 1024]);
    assertThatThrownBy(() -> SrRequests.plan(engine, huge, Map.of()))
        .isInstanceOfSatisfying(BadInputException.class, e -> assertThat(e.tooLarge()).isTrue());
  }
}
