package io.edgenpu.npu.butterfly;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * A butterfly linear layer (docs/papers/fabnet.md): the input is zero-padded to n = 2^ceil(log2
 * in), each of {@code stacks = ceil(out / n)} butterflies applies log2(n) sparse factors
 * (increasing stride), the stacks' outputs are concatenated, truncated to {@code out}, and the bias
 * is added. Twiddles are {@code T[stack][stage][n/2][2][2]}. Immutable after construction; {@link
 * #forward} is thread-safe.
 */
public final class ButterflyLinear {
  private final int in;
  private final int out;
  private final int n;
  private final int logN;
  private final int stacks;
  private final float[][][][][] twiddle;
  private final float[] bias;

  /**
   * A layer from its parameters.
   *
   * @param twiddle {@code [stacks][log2 n][n/2][2][2]}
   * @param bias {@code [out]} (or null for none)
   */
  public ButterflyLinear(int in, int out, float[][][][][] twiddle, float @Nullable [] bias) {
    this.in = in;
    this.out = out;
    this.n = nextPowerOfTwo(in);
    this.logN = Integer.numberOfTrailingZeros(n);
    this.stacks = (out + n - 1) / n;
    if (twiddle.length != stacks || twiddle[0].length != logN || twiddle[0][0].length != n / 2) {
      throw new IllegalArgumentException(
          "twiddles must be [" + stacks + "][" + logN + "][" + n / 2 + "][2][2]");
    }
    this.twiddle = twiddle;
    this.bias = bias == null ? new float[out] : bias.clone();
  }

  /**
   * A layer whose every 2x2 block is the identity (the whole layer is then the identity,
   * truncated).
   */
  public static ButterflyLinear identity(int in, int out) {
    int n = nextPowerOfTwo(in);
    int logN = Integer.numberOfTrailingZeros(n);
    int stacks = (out + n - 1) / n;
    float[][][][][] t = new float[stacks][logN][n / 2][2][2];
    for (float[][][][] s : t) {
      for (float[][][] st : s) {
        for (float[][] b : st) {
          b[0][0] = 1;
          b[1][1] = 1;
        }
      }
    }
    return new ButterflyLinear(in, out, t, null);
  }

  /** Seeded N(0, 1/2) twiddles and U(±1/sqrt(in)) bias, as the reference initialisation. */
  public static ButterflyLinear random(int in, int out, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int n = nextPowerOfTwo(in);
    int logN = Integer.numberOfTrailingZeros(n);
    int stacks = (out + n - 1) / n;
    float[][][][][] t = new float[stacks][logN][n / 2][2][2];
    for (float[][][][] s : t) {
      for (float[][][] st : s) {
        for (float[][] b : st) {
          for (float[] row : b) {
            for (int j = 0; j < 2; j++) {
              row[j] = (float) (gaussian(rnd) / Math.sqrt(2));
            }
          }
        }
      }
    }
    float[] bias = new float[out];
    double bound = 1 / Math.sqrt(in);
    for (int i = 0; i < out; i++) {
      bias[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
    }
    return new ButterflyLinear(in, out, t, bias);
  }

  private static double gaussian(SplittableRandom rnd) {
    double u = Math.max(1e-300, rnd.nextDouble());
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
  }

  static int nextPowerOfTwo(int x) {
    int n = 1;
    while (n < x) {
      n <<= 1;
    }
    return n;
  }

  public int in() {
    return in;
  }

  public int out() {
    return out;
  }

  /** y = W x + b for one vector of length {@code in}. */
  public float[] forward(float[] x) {
    if (x.length != in) {
      throw new IllegalArgumentException("expected " + in + " inputs, got " + x.length);
    }
    float[] y = new float[out];
    float[] v = new float[n];
    for (int s = 0; s < stacks; s++) {
      Arrays.fill(v, 0);
      System.arraycopy(x, 0, v, 0, in);
      float[][][][] t = twiddle[s];
      for (int stage = 0; stage < logN; stage++) {
        int st = 1 << stage;
        for (int b = 0; b < n / (2 * st); b++) {
          for (int j = 0; j < st; j++) {
            int k = b * st + j;
            int i0 = b * 2 * st + j;
            int i1 = i0 + st;
            float x0 = v[i0];
            float x1 = v[i1];
            float[][] w = t[stage][k];
            v[i0] = w[0][0] * x0 + w[0][1] * x1;
            v[i1] = w[1][0] * x0 + w[1][1] * x1;
          }
        }
      }
      for (int i = 0; i < n && s * n + i < out; i++) {
        y[s * n + i] = v[i];
      }
    }
    for (int i = 0; i < out; i++) {
      y[i] += bias[i];
    }
    return y;
  }

  /** The dense out x in matrix this layer computes (without the bias). */
  public float[][] toDense() {
    float[][] w = new float[out][in];
    float[] e = new float[in];
    float[] zeroBias = bias.clone();
    for (int c = 0; c < in; c++) {
      Arrays.fill(e, 0);
      e[c] = 1;
      float[] col = forward(e);
      for (int r = 0; r < out; r++) {
        w[r][c] = col[r] - zeroBias[r];
      }
    }
    return w;
  }

  /**
   * Parameters: 2 · stacks · n · log2(n) twiddles plus {@code out} biases (docs/papers/fabnet.md).
   */
  public long parameterCount() {
    return 2L * stacks * n * logN + out;
  }

  /** Multiplies per vector: 2 · n · log2 n per stack (adds: n · log2 n per stack). */
  public long multiplies() {
    return 2L * stacks * n * logN;
  }
}
