package io.edgenpu.service.nawq;

import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.npu.quant.HpqConfig;
import io.edgenpu.npu.quant.SrGraph.Image;
import io.edgenpu.repository.TensorSpec;
import io.edgenpu.service.backend.BadInputException;
import io.edgenpu.service.backend.NawqSrModel;
import io.edgenpu.service.backend.PreparedRequest;
import io.edgenpu.service.backend.SampleState;
import io.edgenpu.service.backend.TilePlanner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The request side of a NAWQ-SR model: a batch of 8-bit images (UINT8 [N, C, H, W], C = the
 * network's channels: 1 luma, 3 RGB planes) becomes one scheduler sample per tile, and the tiles'
 * outputs become the upscaled images again (UINT8 [N, C, sH, sW]) with what was done in the
 * response parameters.
 *
 * <p>Request parameters: {@code max_drop_db} (number >= 0, default 0: the PSNR drop vs FP32 the
 * client tolerates; picks the fastest hybrid-precision configuration within it) and {@code
 * budget_us} (number >= 0, default 0: emulated NPU time per image the client allows; time beyond
 * the static configuration's enhances the hardest tiles). Response parameters: {@code nawq_config},
 * {@code nawq_bits}, {@code tiles}, {@code enhanced_tiles}, {@code npu_us} (sums over the images).
 */
public final class SrRequests {
  public static final String MAX_DROP_DB = "max_drop_db";
  public static final String BUDGET_US = "budget_us";

  /** Most low-resolution pixels one request may carry (all its images): 1024 tiles. */
  public static final long MAX_PIXELS = 1L << 20;

  private SrRequests() {}

  /** The engine as the model's tile planner. */
  public static Planner planner(SrEngine engine) {
    return new Planner(engine);
  }

  /** An {@link SrEngine} planning the requests of its model. */
  public record Planner(SrEngine engine) implements TilePlanner {
    @Override
    public PreparedRequest plan(Tensor images, Map<String, Object> parameters) {
      return SrRequests.plan(engine, images, parameters);
    }

    @Override
    public int channels() {
      return engine.channels();
    }
  }

  /** The tiles of one request's images and how to put them back together. */
  public static final class Job implements PreparedRequest {
    private final List<SrEngine.Plan> plans;
    private final List<SampleState> states = new ArrayList<>();

    private Job(List<SrEngine.Plan> plans) {
      this.plans = plans;
      for (SrEngine.Plan p : plans) {
        p.programs().forEach(program -> states.add(new SampleState(program)));
      }
    }

    /** One sample per tile, image after image. */
    @Override
    public List<SampleState> samples() {
      return Collections.unmodifiableList(states);
    }

    /** Images, as inferences. */
    @Override
    public int inferences() {
      return plans.size();
    }

    @Override
    public Map<String, Tensor> outputs(List<TensorSpec> requested) {
      return Map.of(NawqSrModel.OUTPUT, assemble());
    }

    @Override
    public boolean cheapToAssemble() {
      return false;
    }

    /** The upscaled images, UINT8 [N, C, sH, sW]; call once every sample has its outputs. */
    public Tensor assemble() {
      List<Tensor> rows = new ArrayList<>(plans.size());
      int next = 0;
      for (SrEngine.Plan p : plans) {
        List<Map<String, Tensor>> outputs = new ArrayList<>();
        for (int i = 0; i < p.programs().size(); i++) {
          outputs.add(states.get(next++).outputs());
        }
        rows.add(toUint8(p.stitch(outputs)));
      }
      return Tensor.concatRows(rows);
    }

    /** What was done, as response parameters. */
    @Override
    public Map<String, Object> parameters() {
      Map<String, Object> out = new LinkedHashMap<>();
      HpqConfig c = plans.get(0).config();
      out.put("nawq_config", c.name());
      out.put("nawq_bits", c.bits().stream().map(String::valueOf).collect(Collectors.joining(",")));
      out.put("tiles", (long) states.size());
      out.put("enhanced_tiles", (long) plans.stream().mapToInt(SrEngine.Plan::enhancedTiles).sum());
      out.put(
          "npu_us",
          Math.round(plans.stream().mapToDouble(SrEngine.Plan::npuMicros).sum() * 10) / 10.0);
      return out;
    }
  }

  /**
   * Plans a request's images (validated against the model's signature already); bad parameters or
   * images are refused.
   */
  public static Job plan(SrEngine engine, Tensor images, Map<String, Object> parameters) {
    double maxDrop = number(parameters, MAX_DROP_DB);
    double budget = number(parameters, BUDGET_US);
    int n = (int) images.dim(0);
    int c = (int) images.dim(1);
    int h = (int) images.dim(2);
    int w = (int) images.dim(3);
    if (c != engine.channels()) {
      throw new BadInputException(
          "the model upscales " + engine.channels() + "-channel images, got " + c, false);
    }
    if (h < 1 || w < 1) {
      throw new BadInputException(
          "input images must have at least one pixel, got " + h + "x" + w, false);
    }
    if ((long) n * h * w > MAX_PIXELS) {
      throw new BadInputException(
          "the request has "
              + (long) n * h * w
              + " pixels; at most "
              + MAX_PIXELS
              + " are upscaled per request",
          true);
    }
    int[] pixels = images.toUint8Array();
    List<SrEngine.Plan> plans = new ArrayList<>(n);
    int per = c * h * w;
    for (int i = 0; i < n; i++) {
      float[] y = new float[per];
      for (int k = 0; k < per; k++) {
        y[k] = pixels[i * per + k] / 255f;
      }
      plans.add(engine.plan(new Image(y, c, h, w), maxDrop, budget));
    }
    return new Job(plans);
  }

  /** An image in [0, 1] as UINT8 [1, channels, h, w] (rounded, clamped). */
  public static Tensor toUint8(Image img) {
    byte[] b = new byte[img.data().length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Math.round(Math.max(0, Math.min(1, img.data()[i])) * 255);
    }
    return Tensor.ofUint8(new long[] {1, img.channels(), img.height(), img.width()}, b);
  }

  private static double number(Map<String, Object> p, String key) {
    Object v = p.get(key);
    if (v == null) {
      return 0;
    }
    if (!(v instanceof Number num)
        || !(num.doubleValue() >= 0)
        || Double.isInfinite(num.doubleValue())) {
      throw new BadInputException(
          String.format(Locale.ROOT, "parameter '%s' must be a non-negative number", key), false);
    }
    return num.doubleValue();
  }
}
