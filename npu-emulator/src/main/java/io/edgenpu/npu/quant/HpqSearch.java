package io.edgenpu.npu.quant;

import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.quant.SrGraph.Image;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Offline hybrid-precision search (docs/papers/nawq-sr.md): choose each convolution's wordlength (8
 * or 16) to minimise the emulated NPU latency while the mean PSNR on a calibration set stays within
 * {@code epsDb} of FP32. Sensitivity s_l = PSNR(all A16W8) - PSNR(all A16W8 but l at A8W8); gain
 * g_l = the latency that switch saves; rank by s_l / g_l; binary-search the longest prefix of the
 * ranking that can be 8-bit; then one greedy pass flipping any other layer that still fits. Every
 * PSNR comes from images computed by {@link QuantSrRunner}. When even all-A16W8 misses the
 * tolerance, the result says so and is all-A16W8.
 */
public final class HpqSearch {
  /** A calibration pair: low-resolution input and high-resolution reference (luma, [0, 1]). */
  public record Pair(Image lr, Image hr) {}

  /**
   * The result.
   *
   * @param bits wordlength per convolution, in {@link SrGraph#convs()} order
   * @param feasible whether the tolerance was met (false: all-A16W8 already misses it)
   * @param psnrFp32 mean PSNR of the FP32 network on the calibration set
   * @param psnr mean PSNR of this configuration
   * @param sensitivity s_l per convolution (dB)
   * @param nanos emulated latency of this configuration
   * @param evaluations integer runs over the calibration set spent
   */
  public record Result(
      List<Integer> bits,
      boolean feasible,
      double psnrFp32,
      double psnr,
      double[] sensitivity,
      double nanos,
      int evaluations) {}

  private final OnnxModel model;
  private final SrGraph graph;
  private final List<Pair> calibration;
  private final Map<String, double[]> ranges = new HashMap<>();
  private final NpuProfile profile;
  private final long referenceDim;
  private final int scale;
  private int evaluations;

  /**
   * @param scale the upscaling factor (the PSNR border crop)
   */
  public HpqSearch(
      OnnxModel model, List<Pair> calibration, NpuProfile profile, long referenceDim, int scale) {
    this.model = model;
    this.graph = SrGraph.from(model);
    this.calibration = List.copyOf(calibration);
    this.profile = profile;
    this.referenceDim = referenceDim;
    this.scale = scale;
    ranges.putAll(SrCalibration.ranges(graph, calibration.stream().map(Pair::lr).toList()));
  }

  public SrGraph graph() {
    return graph;
  }

  public Map<String, double[]> ranges() {
    return Collections.unmodifiableMap(ranges);
  }

  /**
   * Mean PSNR of a configuration over the calibration set (one integer run per image, the images in
   * parallel on the common pool; the sum is taken in calibration order).
   */
  public double psnr(List<Integer> bits) {
    evaluations++;
    double[] each =
        calibration.parallelStream()
            .mapToDouble(
                p -> Psnr.of(new QuantSrRunner(graph, ranges, bits).run(p.lr()), p.hr(), scale))
            .toArray();
    double sum = 0;
    for (double v : each) {
      sum += v;
    }
    return sum / calibration.size();
  }

  /** FP32, all-A16W8 and the sensitivities: computed by the first search, reused by the next. */
  private double @Nullable [] baseline;

  private double @Nullable [][] perLayer;

  public double nanos(List<Integer> bits) {
    return HybridPrecisionLatency.nanos(model, graph, bits, profile, referenceDim);
  }

  /** Searches for {@code epsDb}; {@code progress} hears each evaluation's count. */
  public Result search(double epsDb, IntConsumer progress) {
    evaluations = 0;
    int n = graph.convs().size();
    List<Integer> all16 = Collections.nCopies(n, 16);
    double t16 = nanos(all16);
    if (baseline == null || perLayer == null) {
      double fp32Sum = 0;
      for (Pair p : calibration) {
        fp32Sum += Psnr.of(graph.runFloat(p.lr(), null), p.hr(), scale);
      }
      double q16Sum = psnr(all16);
      double[] s = new double[n];
      double[] g = new double[n];
      for (int l = 0; l < n; l++) {
        List<Integer> one8 = new ArrayList<>(all16);
        one8.set(l, 8);
        s[l] = q16Sum - psnr(one8);
        g[l] = t16 - nanos(one8);
        progress.accept(evaluations);
      }
      baseline = new double[] {fp32Sum / calibration.size(), q16Sum};
      perLayer = new double[][] {s, g};
    }
    double fp32 = baseline[0];
    double q16 = baseline[1];
    double[] sensitivity = perLayer[0];
    double[] gain = perLayer[1];
    if (fp32 - q16 > epsDb) {
      return new Result(all16, false, fp32, q16, sensitivity, t16, evaluations);
    }
    List<Integer> order = new ArrayList<>();
    for (int l = 0; l < n; l++) {
      order.add(l);
    }
    order.sort(Comparator.comparingDouble(l -> sensitivity[l] / Math.max(gain[l], 1e-9)));
    // Longest feasible prefix (PSNR is near-monotone in the prefix length): binary search.
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi + 1) / 2;
      if (fp32 - psnr(prefix(order, mid, n)) <= epsDb) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
      progress.accept(evaluations);
    }
    List<Integer> best = prefix(order, lo, n);
    // Greedy refinement: any remaining 16-bit layer that can go to 8 bits within the tolerance.
    for (int k = lo; k < n; k++) {
      List<Integer> trial = new ArrayList<>(best);
      trial.set(order.get(k), 8);
      if (nanos(trial) < nanos(best) && fp32 - psnr(trial) <= epsDb) {
        best = trial;
      }
      progress.accept(evaluations);
    }
    return new Result(
        List.copyOf(best), true, fp32, psnr(best), sensitivity, nanos(best), evaluations);
  }

  private static List<Integer> prefix(List<Integer> order, int k, int n) {
    List<Integer> bits = new ArrayList<>(Collections.nCopies(n, 16));
    for (int i = 0; i < k; i++) {
      bits.set(order.get(i), 8);
    }
    return bits;
  }
}
