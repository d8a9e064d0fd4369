package io.edgenpu.npu.butterfly;

/**
 * The FFT as a butterfly with fixed twiddles (docs/papers/fabnet.md): radix-2 decimation in time,
 * the input in bit-reversed order, then the same increasing-stride stage loop as {@link
 * ButterflyLinear} with the complex twiddle w = exp(-2πi·j/2^(s+1)) and (x0, x1) -> (x0 + w·x1, x0
 * - w·x1). Twiddles are precomputed per length. Immutable; thread-safe.
 */
public final class Fft {
  private final int n;
  private final int logN;
  private final int[] bitReverse;
  private final double[] cos;
  private final double[] sin;

  public Fft(int n) {
    if (n < 1 || Integer.bitCount(n) != 1) {
      throw new IllegalArgumentException("FFT length must be a power of two, got " + n);
    }
    this.n = n;
    this.logN = Integer.numberOfTrailingZeros(n);
    this.bitReverse = new int[n];
    for (int i = 0; i < n; i++) {
      bitReverse[i] = logN == 0 ? 0 : Integer.reverse(i) >>> (32 - logN);
    }
    this.cos = new double[Math.max(1, n / 2)];
    this.sin = new double[Math.max(1, n / 2)];
    for (int k = 0; k < n / 2; k++) {
      cos[k] = Math.cos(-2 * Math.PI * k / n);
      sin[k] = Math.sin(-2 * Math.PI * k / n);
    }
  }

  public int length() {
    return n;
  }

  /** In-place forward DFT of (re, im), each of length n. */
  public void transform(double[] re, double[] im) {
    for (int i = 0; i < n; i++) {
      int j = bitReverse[i];
      if (j > i) {
        double t = re[i];
        re[i] = re[j];
        re[j] = t;
        t = im[i];
        im[i] = im[j];
        im[j] = t;
      }
    }
    for (int s = 0; s < logN; s++) {
      int st = 1 << s;
      int step = n / (2 * st);
      for (int b = 0; b < n / (2 * st); b++) {
        for (int j = 0; j < st; j++) {
          int i0 = b * 2 * st + j;
          int i1 = i0 + st;
          double wr = cos[j * step];
          double wi = sin[j * step];
          double xr = re[i1] * wr - im[i1] * wi;
          double xi = re[i1] * wi + im[i1] * wr;
          re[i1] = re[i0] - xr;
          im[i1] = im[i0] - xi;
          re[i0] += xr;
          im[i0] += xi;
        }
      }
    }
  }

  /**
   * FNet mixing Re(FFT2(X)) of a real L x d matrix (row-major), both dimensions powers of two: an
   * FFT of every row (over d), then of every column (over L), keeping the real part.
   */
  public static float[] realFft2(float[] x, int rows, int cols) {
    Fft fr = new Fft(cols);
    Fft fc = new Fft(rows);
    double[][] re = new double[rows][cols];
    double[][] im = new double[rows][cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        re[r][c] = x[r * cols + c];
      }
      fr.transform(re[r], im[r]);
    }
    double[] cr = new double[rows];
    double[] ci = new double[rows];
    float[] out = new float[rows * cols];
    for (int c = 0; c < cols; c++) {
      for (int r = 0; r < rows; r++) {
        cr[r] = re[r][c];
        ci[r] = im[r][c];
      }
      fc.transform(cr, ci);
      for (int r = 0; r < rows; r++) {
        out[r * cols + c] = (float) cr[r];
      }
    }
    return out;
  }
}
