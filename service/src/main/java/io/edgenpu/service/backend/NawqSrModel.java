package io.edgenpu.service.backend;

import io.edgenpu.api.tensor.DataType;
import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.repository.ModelConfig;
import io.edgenpu.repository.TensorSpec;
import io.edgenpu.scheduler.core.StagePlan;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A super-resolution graph served in the NPU's 8/16-bit integer arithmetic (NAWQ-SR): no ONNX
 * Runtime session; each request's images are cut into tiles by its {@link TilePlanner}, and each
 * tile is a scheduler sample that runs its own {@link DeviceProgram}. Signature: {@link #INPUT}
 * UINT8 [C, H, W] in, {@link #OUTPUT} UINT8 [C, sH, sW] out, C = 1 (luma, the default) or 3 (RGB
 * planes) as the model's config declares.
 */
public final class NawqSrModel extends ModelInstance {
  /** Name of the input: low-resolution 8-bit images [N, C, H, W]. */
  public static final String INPUT = "image";

  /** Name of the output: the upscaled 8-bit images. */
  public static final String OUTPUT = "image_sr";

  private final TilePlanner planner;
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;

  public NawqSrModel(ModelConfig config, long version, Path versionDir, TilePlanner planner) {
    super(config, version, versionDir);
    this.planner = planner;
    this.inputs =
        resolve(
            "input",
            config.inputs(),
            List.of(
                new TensorSpec(INPUT, DataType.UINT8, new long[] {planner.channels(), -1, -1})));
    this.outputs =
        resolve(
            "output",
            config.outputs(),
            List.of(
                new TensorSpec(OUTPUT, DataType.UINT8, new long[] {planner.channels(), -1, -1})));
  }

  /** How the model's requests become tiles. */
  public TilePlanner planner() {
    return planner;
  }

  @Override
  public List<TensorSpec> inputs() {
    return inputs;
  }

  @Override
  public List<TensorSpec> outputs() {
    return outputs;
  }

  @Override
  public StagePlan plan() {
    return StagePlan.single();
  }

  @Override
  public PreparedRequest prepare(
      Map<String, Tensor> inputs, int batch, Map<String, Object> parameters, double exitThreshold) {
    return planner.plan(
        Objects.requireNonNull(inputs.get(INPUT), "validated input " + INPUT), parameters);
  }

  @Override
  protected boolean[] compute(int stage, List<SampleState> samples) {
    boolean[] exited = new boolean[samples.size()];
    for (int i = 0; i < samples.size(); i++) {
      samples.get(i).setOutputs(Objects.requireNonNull(samples.get(i).program()).run(), -1);
      exited[i] = true;
    }
    return exited;
  }

  /**
   * Runs the tiles of one image (the sample, else a small grey one): tiles run one by one whatever
   * the batch, so one image warms every code path; larger batch sizes add nothing.
   */
  @Override
  protected void warmUp(int batch, @Nullable Map<String, Tensor> inputs) {
    if (batch > 1) {
      return;
    }
    Tensor image = inputs == null ? null : inputs.get(INPUT);
    if (image == null) {
      long channels = inputs().get(0).shape()[0];
      byte[] grey = new byte[(int) channels * 48 * 48];
      Arrays.fill(grey, (byte) 128);
      image = Tensor.ofUint8(new long[] {1, channels, 48, 48}, grey);
    }
    PreparedRequest r = planner.plan(image, Map.of());
    compute(0, r.samples());
    r.outputs(outputs);
  }

  @Override
  protected void freeNative() {
    // Nothing native: the integer kernels are Java.
  }
}
