package io.edgenpu.npu.butterfly;

import io.edgenpu.npu.onnx.OnnxModel;
import io.edgenpu.npu.onnx.proto.OnnxProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The FABNet classifier of {@code models/training/listops.py} in plain Java, built from the weights
 * of its exported ONNX graph (initializers keep the PyTorch names). Per block: {@code x +=
 * Re(FFT2(LN1(x)))}, then {@code x += down(GELU(up(LN2(x))))} with butterfly linears; then {@code
 * LN(x)}, masked mean pooling over non-padding tokens (id 0 = padding), {@code
 * head2(ReLU(head1(.)))} and softmax. It validates the ONNX export numerically (the graph and this
 * class share nothing but the weights). Immutable, thread-safe.
 */
public final class FabnetReference {
  private static final float LN_EPS = 1e-5f;

  private record Norm(float[] weight, float[] bias) {}

  private record Block(Norm ln1, Norm ln2, ButterflyLinear up, ButterflyLinear down) {}

  private final int length;
  private final int hidden;
  private final float[] tokenEmbedding;
  private final float[] positionEmbedding;
  private final List<Block> blocks;
  private final Norm finalNorm;
  private final float[] head1;
  private final float[] head1Bias;
  private final float[] head2;
  private final float[] head2Bias;

  private FabnetReference(Map<String, OnnxProto.TensorProto> w) {
    long[] pos = OnnxModel.dims(need(w, "pos.weight"));
    this.length = (int) pos[0];
    this.hidden = (int) pos[1];
    this.tokenEmbedding = OnnxModel.floats(need(w, "tok.weight"));
    this.positionEmbedding = OnnxModel.floats(need(w, "pos.weight"));
    List<Block> list = new ArrayList<>();
    for (int b = 0; w.containsKey("blocks." + b + ".ln1.weight"); b++) {
      String p = "blocks." + b;
      ButterflyLinear up = butterfly(w, p + ".up", hidden);
      list.add(
          new Block(
              norm(w, p + ".ln1"), norm(w, p + ".ln2"), up, butterfly(w, p + ".down", up.out())));
    }
    if (list.isEmpty()) {
      throw new IllegalArgumentException(
          "no FABNet blocks (blocks.0.ln1.weight) among the initializers");
    }
    this.blocks = List.copyOf(list);
    this.finalNorm = norm(w, "ln");
    this.head1 = OnnxModel.floats(need(w, "head1.weight.T"));
    this.head1Bias = OnnxModel.floats(need(w, "head1.bias"));
    this.head2 = OnnxModel.floats(need(w, "head2.weight.T"));
    this.head2Bias = OnnxModel.floats(need(w, "head2.bias"));
  }

  /**
   * Reads the weights of an exported FABNet graph; IllegalArgumentException when one is missing.
   */
  public static FabnetReference fromOnnx(OnnxModel model) {
    return new FabnetReference(model.initializers());
  }

  public int length() {
    return length;
  }

  public int blockCount() {
    return blocks.size();
  }

  /** Class probabilities for one sequence of {@link #length()} token ids. */
  public float[] probabilities(long[] tokens) {
    if (tokens.length != length) {
      throw new IllegalArgumentException("expected " + length + " tokens, got " + tokens.length);
    }
    int d = hidden;
    float[] x = new float[length * d];
    float[] mask = new float[length];
    int vocab = tokenEmbedding.length / d;
    for (int t = 0; t < length; t++) {
      int id = (int) tokens[t];
      if (id < 0 || id >= vocab) {
        throw new IllegalArgumentException(
            "token id " + id + " outside the vocabulary of " + vocab);
      }
      mask[t] = id == 0 ? 0 : 1;
      for (int c = 0; c < d; c++) {
        x[t * d + c] = tokenEmbedding[id * d + c] + positionEmbedding[t * d + c];
      }
    }
    for (Block b : blocks) {
      float[] mixed = Fft.realFft2(layerNorm(x, b.ln1()), length, d);
      add(x, mixed);
      float[] normed = layerNorm(x, b.ln2());
      float[] row = new float[d];
      for (int t = 0; t < length; t++) {
        System.arraycopy(normed, t * d, row, 0, d);
        float[] h = b.up().forward(row);
        for (int i = 0; i < h.length; i++) {
          h[i] = gelu(h[i]);
        }
        float[] y = b.down().forward(h);
        for (int c = 0; c < d; c++) {
          x[t * d + c] += y[c];
        }
      }
    }
    float[] normed = layerNorm(x, finalNorm);
    float[] pooled = new float[d];
    float count = 0;
    for (int t = 0; t < length; t++) {
      count += mask[t];
      for (int c = 0; c < d; c++) {
        pooled[c] += normed[t * d + c] * mask[t];
      }
    }
    for (int c = 0; c < d; c++) {
      pooled[c] /= Math.max(count, 1f);
    }
    float[] z = affine(pooled, head1, head1Bias);
    for (int i = 0; i < z.length; i++) {
      z[i] = Math.max(0, z[i]);
    }
    return softmax(affine(z, head2, head2Bias));
  }

  private float[] layerNorm(float[] x, Norm n) {
    int d = hidden;
    float[] out = new float[x.length];
    for (int t = 0; t < x.length / d; t++) {
      double mean = 0;
      for (int c = 0; c < d; c++) {
        mean += x[t * d + c];
      }
      mean /= d;
      double var = 0;
      for (int c = 0; c < d; c++) {
        double v = x[t * d + c] - mean;
        var += v * v;
      }
      double inv = 1 / Math.sqrt(var / d + LN_EPS);
      for (int c = 0; c < d; c++) {
        out[t * d + c] = (float) ((x[t * d + c] - mean) * inv * n.weight()[c] + n.bias()[c]);
      }
    }
    return out;
  }

  /** y = x · W + b with W row-major [in][out]. */
  private static float[] affine(float[] x, float[] w, float[] b) {
    int out = b.length;
    float[] y = b.clone();
    for (int i = 0; i < x.length; i++) {
      for (int o = 0; o < out; o++) {
        y[o] += x[i] * w[i * out + o];
      }
    }
    return y;
  }

  private static float[] softmax(float[] z) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] e = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      e[i] = Math.exp(z[i] - max);
      sum += e[i];
    }
    float[] p = new float[z.length];
    for (int i = 0; i < z.length; i++) {
      p[i] = (float) (e[i] / sum);
    }
    return p;
  }

  private static void add(float[] x, float[] y) {
    for (int i = 0; i < x.length; i++) {
      x[i] += y[i];
    }
  }

  /** Exact GELU, x · Φ(x), as ONNX Gelu (approximate = none) and torch's default. */
  static float gelu(float x) {
    return (float) (0.5 * x * (1 + erf(x / Math.sqrt(2))));
  }

  /** erf with fractional error below 1.2e-7 (Chebyshev fit of erfc, Numerical Recipes §6.2). */
  static double erf(double x) {
    double z = Math.abs(x);
    double t = 1 / (1 + 0.5 * z);
    double erfc =
        t
            * Math.exp(
                -z * z
                    - 1.26551223
                    + t
                        * (1.00002368
                            + t
                                * (0.37409196
                                    + t
                                        * (0.09678418
                                            + t
                                                * (-0.18628806
                                                    + t
                                                        * (0.27886807
                                                            + t
                                                                * (-1.13520398
                                                                    + t
                                                                        * (1.48851587
                                                                            + t
                                                                                * (-0.82215223
                                                                                    + t
                                                                                        * 0.17087277)))))))));
    return x >= 0 ? 1 - erfc : erfc - 1;
  }

  private static Norm norm(Map<String, OnnxProto.TensorProto> w, String prefix) {
    return new Norm(
        OnnxModel.floats(need(w, prefix + ".weight")), OnnxModel.floats(need(w, prefix + ".bias")));
  }

  /**
   * Rebuilds T[stack][stage][n/2][2][2] from the per-stage coefficient tensors [stacks, blocks, 1,
   * stride].
   */
  private static ButterflyLinear butterfly(
      Map<String, OnnxProto.TensorProto> w, String prefix, int in) {
    float[] bias = OnnxModel.floats(need(w, prefix + ".bias"));
    int n = ButterflyLinear.nextPowerOfTwo(in);
    int logN = Integer.numberOfTrailingZeros(n);
    int stacks = (int) OnnxModel.dims(need(w, prefix + ".twiddle.s0.00"))[0];
    float[][][][][] t = new float[stacks][logN][n / 2][2][2];
    for (int s = 0; s < logN; s++) {
      for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 2; j++) {
          float[] c = OnnxModel.floats(need(w, prefix + ".twiddle.s" + s + "." + i + j));
          if (c.length != stacks * n / 2) {
            throw new IllegalArgumentException(
                prefix
                    + " stage "
                    + s
                    + " has "
                    + c.length
                    + " coefficients, expected "
                    + stacks * n / 2);
          }
          for (int st = 0; st < stacks; st++) {
            for (int k = 0; k < n / 2; k++) {
              t[st][s][k][i][j] = c[st * n / 2 + k];
            }
          }
        }
      }
    }
    return new ButterflyLinear(in, bias.length, t, bias);
  }

  private static OnnxProto.TensorProto need(Map<String, OnnxProto.TensorProto> w, String name) {
    OnnxProto.TensorProto t = w.get(name);
    if (t == null) {
      throw new IllegalArgumentException("initializer '" + name + "' is missing");
    }
    return t;
  }
}
