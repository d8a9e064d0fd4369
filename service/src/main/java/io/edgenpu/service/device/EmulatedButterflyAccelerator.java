package io.edgenpu.service.device;

import io.edgenpu.npu.butterfly.ButterflyCostModel;
import io.edgenpu.npu.butterfly.ButterflyNetwork;
import io.edgenpu.npu.butterfly.ButterflyProfile;
import io.edgenpu.scheduler.core.LatencyOracle;
import io.edgenpu.scheduler.core.StageBatch;
import io.edgenpu.scheduler.loop.EventLoop;
import io.edgenpu.service.backend.ModelInstance;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * FABNet's adaptable butterfly accelerator as a device ({@link PacedAccelerator}): each batch is
 * held for the {@link ButterflyCostModel} time of the model's {@code butterfly:} network shape at
 * that batch size (FFT, butterfly-linear, attention and dense passes, EXACT mode). Only plain
 * (single-stage) models with a {@code butterfly:} section can be added.
 */
public final class EmulatedButterflyAccelerator extends PacedAccelerator {
  private final ButterflyCostModel cost;
  private final Map<String, ButterflyNetwork> networks = new ConcurrentHashMap<>();

  public EmulatedButterflyAccelerator(
      EventLoop loop, Executor compute, ButterflyProfile profile, double timeScale) {
    super(loop, compute, timeScale);
    this.cost = new ButterflyCostModel(profile);
  }

  public ButterflyProfile profile() {
    return cost.profile();
  }

  @Override
  public void add(ModelInstance model) {
    ButterflyNetwork net = model.config().butterfly();
    if (net == null) {
      throw new IllegalArgumentException(
          "model "
              + model.config().name()
              + " has no 'butterfly:' section, which the butterfly accelerator needs to cost it");
    }
    if (model.plan().stageCount() != 1) {
      throw new IllegalArgumentException("the butterfly accelerator runs single-stage models only");
    }
    networks.put(model.key(), net);
    super.add(model);
  }

  @Override
  public void remove(String modelKey) {
    super.remove(modelKey);
    networks.remove(modelKey);
  }

  /**
   * Modelled nanoseconds of one batch of {@code batch} sequences of a model on this device
   * (unscaled).
   */
  public double batchNanos(ButterflyNetwork net, int batch) {
    return cost.networkNanos(net, batch, ButterflyCostModel.Mode.EXACT);
  }

  @Override
  public LatencyOracle oracleFor(ModelInstance m) {
    ButterflyNetwork net =
        Objects.requireNonNull(
            m.config().butterfly(), "a model on the butterfly device has a 'butterfly:' section");
    return new LearnedLatencyOracle(
        1, m.config().maxBatchSize(), (s, b) -> (int) scaled(batchNanos(net, b)));
  }

  @Override
  protected long modelledNanos(StageBatch batch, ModelInstance model) {
    ButterflyNetwork net = networks.get(batch.model());
    return net == null ? -1 : Math.round(batchNanos(net, batch.size()));
  }
}
