package io.edgenpu.npu.butterfly;

import java.util.ArrayList;
import java.util.List;

/**
 * Cycle model of the butterfly accelerator (docs/papers/fabnet.md), reimplemented from the
 * description of the reference simulator. Every pass processes R rows (tokens or channels) of
 * length N, P_BE rows at a time:
 *
 * <ul>
 *   <li><b>FFT pass</b> (two pipeline stages): stage 1 = compute + max(input load, twiddle load),
 *       where the input load is max(DRAM time, N cycles of serial-to-parallel) and the twiddle load
 *       is log2 N · N complex values; stage 2 = output store (max(DRAM time, N cycles of
 *       parallel-to-serial)).
 *   <li><b>Butterfly linear pass</b> (three stages): load input and coefficients (log2 N · 2N
 *       values) | compute | store; {@code ceil(R / P_BE) · max(1, out/in)} runs.
 *   <li>Compute of one engine on a length-N vector: N / (2 P_BU) · log2 N cycles (BRAM reads cost
 *       the same).
 *   <li>Runs pipeline: total = first + Σ max(next stages); a pass that is not the network's last
 *       overlaps its final store with the next pass.
 * </ul>
 *
 * An FBfly block is FFT over the hidden dimension (real in, complex out), FFT over the sequence
 * (complex in, real out), and two butterfly linears (d -> h, h -> d). The reference simulator runs
 * the second FFT over the hidden length with L rows as well; {@link Mode#LEGACY_SEQUENCE_PASS}
 * reproduces that simplification, {@link Mode#EXACT} runs it over the padded sequence length L'
 * with d rows.
 *
 * <p>ABfly attention blocks are costed with a dense attention engine of our own design ([D], not
 * the paper's): Q/K/V/O projections as butterfly linears, then Q·Kᵀ and S·V on {@code
 * attentionMacsPerCycle} MACs with a row-wise softmax pipelined between them. Stateless and
 * thread-safe.
 */
public final class ButterflyCostModel {
  /** How the second FFT pass of an FBfly block is modelled. */
  public enum Mode {
    EXACT,
    LEGACY_SEQUENCE_PASS
  }

  /** One command of the accelerator's run-time configuration stream (docs/papers/fabnet.md). */
  public record LayerCmd(
      Op op, long rows, long lengthIn, long lengthOut, boolean complexIn, boolean complexOut) {
    public enum Op {
      FFT,
      BFLY,
      ATTENTION,
      DENSE
    }
  }

  /** A command with its cycles. */
  public record CmdCost(LayerCmd cmd, double cycles) {}

  private final ButterflyProfile p;

  public ButterflyCostModel(ButterflyProfile profile) {
    this.p = profile;
  }

  public ButterflyProfile profile() {
    return p;
  }

  static long ceilPow2(long x) {
    long n = 1;
    while (n < x) {
      n <<= 1;
    }
    return n;
  }

  static int log2(long n) {
    return 63 - Long.numberOfLeadingZeros(n);
  }

  /** DRAM transfer: ceil(elements / (channel bits per cycle / element bits)) cycles. */
  private static double dram(double elements, int channelBits, int elementBits) {
    int elementsPerCycle = channelBits / elementBits; // whole elements per transfer
    return Math.ceil(elements / elementsPerCycle);
  }

  /**
   * One engine on a length-n vector: n / (2 P_BU) per stage, log2 n stages (BRAM reads take the
   * same).
   */
  private double compute(long n) {
    return (double) n / (2.0 * p.unitsPerEngine()) * log2(n);
  }

  /** Coefficient BRAM writes: the bank is 2·bits x 4·P_BU wide. */
  private double coefficientBram(double height, double width, int bits) {
    return width * bits / (2.0 * p.bitWidth() * 4 * p.unitsPerEngine()) * height;
  }

  /** Cycles of an FFT pass over {@code rows} rows of length {@code n} (a power of two). */
  public double fftCycles(long rows, long n, boolean complexIn, boolean complexOut, boolean last) {
    int bits = p.bitWidth();
    long runs = (rows + p.engines() - 1) / p.engines();
    double input =
        Math.max(
            dram((double) n * p.engines(), p.inputBitsPerCycle(), complexIn ? 2 * bits : bits),
            (double) n);
    double twiddles =
        Math.max(
            dram((double) log2(n) * n, p.coefficientBitsPerCycle(), 2 * bits),
            coefficientBram(log2(n), (double) n, 2 * bits));
    double stage1 = compute(n) + Math.max(input, twiddles);
    double stage2 =
        Math.max(
            dram((double) n * p.engines(), p.outputBitsPerCycle(), complexOut ? 2 * bits : bits),
            (double) n);
    return pipeline(runs, last, new double[] {stage1, stage2});
  }

  /**
   * Cycles of a butterfly linear pass: {@code rows} vectors, {@code in} -> {@code out} (powers of
   * two).
   */
  public double butterflyCycles(long rows, long in, long out, boolean last) {
    int bits = p.bitWidth();
    long runs = (rows + p.engines() - 1) / p.engines() * Math.max(1, out / in);
    double input =
        Math.max(dram((double) in * p.engines(), p.inputBitsPerCycle(), bits), (double) in);
    double coefficients =
        Math.max(
            dram((double) log2(in) * 2 * in, p.coefficientBitsPerCycle(), bits),
            coefficientBram(log2(in), 2.0 * in, bits));
    double stage1 = Math.max(input, coefficients);
    double stage2 = compute(in);
    double stage3 =
        Math.max(dram((double) in * p.engines(), p.outputBitsPerCycle(), bits), (double) in);
    return pipeline(runs, last, new double[] {stage1, stage2, stage3});
  }

  /**
   * A k-stage pipeline over {@code runs} runs: the first run's leading stages, then per further run
   * the slowest stage in flight; the last run's tail stages are hidden behind the next pass unless
   * {@code last}.
   */
  private static double pipeline(long runs, boolean last, double[] stages) {
    int k = stages.length;
    double total = 0;
    for (int s = 0; s < k - 1; s++) {
      total += stages[s];
    }
    long steps = last ? runs : runs - 1;
    for (long i = 1; i < steps; i++) {
      double slowest = 0;
      for (int s = 0; s < k; s++) {
        long run = i + (k - 1 - s);
        if (run < runs) {
          slowest = Math.max(slowest, stages[s]);
        }
      }
      total += slowest;
    }
    return total;
  }

  /**
   * Cycles of dense self-attention over {@code length} tokens of {@code dim} features in {@code
   * heads} heads ([D] our engine): Q·Kᵀ then S·V on the attention MACs, a row-wise softmax of
   * {@code length} cycles per row pipelined between them, plus the softmax's initial delay.
   */
  public double attentionCycles(long length, long dim, int heads) {
    double macsPerRowQk = (double) length * dim;
    double macsPerRowSv = (double) length * dim;
    double perRow =
        Math.max(Math.max(macsPerRowQk, macsPerRowSv) / p.attentionMacsPerCycle(), (double) length);
    return p.softmaxDelayCycles() + 2 * perRow + (length - 1) * perRow;
  }

  /** The command stream of one FBfly block. */
  public List<LayerCmd> fbflyBlock(long length, long hidden, long ffn, Mode mode) {
    long d = ceilPow2(hidden);
    long h = ceilPow2(ffn);
    List<LayerCmd> cmds = new ArrayList<>();
    cmds.add(new LayerCmd(LayerCmd.Op.FFT, length, d, d, false, true));
    if (mode == Mode.LEGACY_SEQUENCE_PASS) {
      cmds.add(new LayerCmd(LayerCmd.Op.FFT, length, d, d, true, false));
    } else {
      long lp = ceilPow2(length);
      cmds.add(new LayerCmd(LayerCmd.Op.FFT, d, lp, lp, true, false));
    }
    cmds.add(new LayerCmd(LayerCmd.Op.BFLY, length, d, h, false, false));
    cmds.add(new LayerCmd(LayerCmd.Op.BFLY, length, h, d, false, false));
    return cmds;
  }

  /**
   * The command stream of one ABfly block: butterfly Q, K, V, O projections, attention, butterfly
   * FFN.
   */
  public List<LayerCmd> abflyBlock(long length, long hidden, long ffn) {
    long d = ceilPow2(hidden);
    long h = ceilPow2(ffn);
    List<LayerCmd> cmds = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      cmds.add(new LayerCmd(LayerCmd.Op.BFLY, length, d, d, false, false));
    }
    cmds.add(new LayerCmd(LayerCmd.Op.ATTENTION, length, d, d, false, false));
    cmds.add(new LayerCmd(LayerCmd.Op.BFLY, length, d, d, false, false));
    cmds.add(new LayerCmd(LayerCmd.Op.BFLY, length, d, h, false, false));
    cmds.add(new LayerCmd(LayerCmd.Op.BFLY, length, h, d, false, false));
    return cmds;
  }

  /**
   * Cycles of each command; only the very last command of the network stores its final output
   * exposed.
   */
  public List<CmdCost> cost(List<LayerCmd> cmds, int heads, boolean lastIsNetworkEnd) {
    List<CmdCost> out = new ArrayList<>();
    for (int i = 0; i < cmds.size(); i++) {
      LayerCmd c = cmds.get(i);
      boolean last = lastIsNetworkEnd && i == cmds.size() - 1;
      double cycles =
          switch (c.op()) {
            case FFT -> fftCycles(c.rows(), c.lengthIn(), c.complexIn(), c.complexOut(), last);
            case BFLY -> butterflyCycles(c.rows(), c.lengthIn(), c.lengthOut(), last);
            case ATTENTION -> attentionCycles(c.rows(), c.lengthIn(), heads);
            case DENSE -> denseCycles(c.rows(), c.lengthIn(), c.lengthOut());
          };
      out.add(new CmdCost(c, cycles));
    }
    return out;
  }

  /**
   * Latency in milliseconds of a FABNet network: {@code fbfly} FBfly blocks then {@code abfly}
   * ABfly blocks at sequence length {@code length}. (The reference simulator counts every block as
   * "not last"; so does this.)
   */
  public double networkMillis(
      long length, long hidden, long ffn, int fbfly, int abfly, int heads, Mode mode) {
    double cycles = 0;
    for (CmdCost c : cost(fbflyBlock(length, hidden, ffn, mode), heads, false)) {
      cycles += c.cycles() * fbfly;
    }
    if (abfly > 0) {
      for (CmdCost c : cost(abflyBlock(length, hidden, ffn), heads, false)) {
        cycles += c.cycles() * abfly;
      }
    }
    return p.cyclesToMillis(cycles);
  }

  /**
   * Cycles of a dense linear layer ([D] our extension): rows x in x out MACs on the attention
   * engine's MAC array, plus streaming the weights in once over the coefficient channel.
   */
  public double denseCycles(long rows, long in, long out) {
    double macs = (double) rows * in * out;
    return Math.max(macs / p.attentionMacsPerCycle(), (double) rows)
        + dram((double) in * out, p.coefficientBitsPerCycle(), p.bitWidth());
  }

  /**
   * The command stream of one vanilla Transformer block: dense Q, K, V, O, attention, dense FFN.
   */
  public List<LayerCmd> denseBlock(long length, long hidden, long ffn) {
    List<LayerCmd> cmds = new ArrayList<>();
    cmds.add(new LayerCmd(LayerCmd.Op.DENSE, length, hidden, 3 * hidden, false, false));
    cmds.add(new LayerCmd(LayerCmd.Op.ATTENTION, length, hidden, hidden, false, false));
    cmds.add(new LayerCmd(LayerCmd.Op.DENSE, length, hidden, hidden, false, false));
    cmds.add(new LayerCmd(LayerCmd.Op.DENSE, length, hidden, ffn, false, false));
    cmds.add(new LayerCmd(LayerCmd.Op.DENSE, length, ffn, hidden, false, false));
    return cmds;
  }

  /**
   * Cycles of one batch of {@code batch} sequences through {@code net}: token-parallel passes see
   * {@code batch} times the rows; the sequence FFT (EXACT mode) runs over {@code batch} times the
   * channels; attention runs once per sequence. The network's last pass stores its output exposed.
   */
  public double networkCycles(ButterflyNetwork net, int batch, Mode mode) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be >= 1");
    }
    List<LayerCmd> cmds = new ArrayList<>();
    for (int i = 0; i < net.fbflyBlocks(); i++) {
      cmds.addAll(fbflyBlock(net.length(), net.hidden(), net.ffn(), mode));
    }
    for (int i = 0; i < net.abflyBlocks(); i++) {
      cmds.addAll(abflyBlock(net.length(), net.hidden(), net.ffn()));
    }
    for (int i = 0; i < net.denseBlocks(); i++) {
      cmds.addAll(denseBlock(net.length(), net.hidden(), net.ffn()));
    }
    List<LayerCmd> batched = new ArrayList<>(cmds.size());
    for (LayerCmd c : cmds) {
      long rows = c.op() == LayerCmd.Op.ATTENTION ? c.rows() : c.rows() * batch;
      batched.add(
          new LayerCmd(c.op(), rows, c.lengthIn(), c.lengthOut(), c.complexIn(), c.complexOut()));
    }
    double cycles = 0;
    for (CmdCost c : cost(batched, net.heads(), true)) {
      cycles += c.cmd().op() == LayerCmd.Op.ATTENTION ? c.cycles() * batch : c.cycles();
    }
    return cycles;
  }

  /** {@link #networkCycles} in nanoseconds at the profile's clock. */
  public double networkNanos(ButterflyNetwork net, int batch, Mode mode) {
    return p.cyclesToMillis(networkCycles(net, batch, mode)) * 1e6;
  }
}
