package io.edgenpu.npu.butterfly;

/**
 * A dense-attention accelerator with the same budget as a butterfly accelerator profile ([D], our
 * design, for the paper's equal-compute comparison): as many FP16 multipliers as the butterfly
 * accelerator has (engines x units x 4, since each butterfly unit holds four multipliers), one
 * exponent unit per four multipliers for the softmax, the same clock, implementation efficiency,
 * data width and DRAM channels (input, output, coefficients).
 *
 * <p>The model is deliberately generous to the dense engine, so that a speed-up over it is not an
 * artefact of a weak baseline: every multiplier does one multiply-accumulate per cycle (no tiling
 * loss); loads, compute and stores overlap perfectly, so a pass costs the slowest of them;
 * attention scores stay on chip. A linear layer of {@code rows} tokens, {@code in -> out} features
 * costs {@code max(rows·in·out / M, rows·in / input width, in·out / coefficient width, rows·out /
 * output width)} cycles (widths in elements per cycle). Self-attention costs {@code max(2·L²·d / M,
 * heads·L² / (M / 4))} plus the profile's softmax delay, with Q, K, V read and the result written
 * over the channels. Stateless, thread-safe.
 */
public final class EqualBudgetDenseEngine {
  /** Multipliers per butterfly unit (docs/papers/fabnet.md: four FP16 multipliers per unit). */
  public static final int MULTIPLIERS_PER_UNIT = 4;

  private final ButterflyProfile p;
  private final long multipliers;

  public EqualBudgetDenseEngine(ButterflyProfile butterfly) {
    this.p = butterfly;
    this.multipliers =
        (long) butterfly.engines() * butterfly.unitsPerEngine() * MULTIPLIERS_PER_UNIT;
  }

  public long multipliers() {
    return multipliers;
  }

  private double perCycle(int channelBits) {
    return Math.floor((double) channelBits / p.bitWidth()); // whole elements per transfer
  }

  /** Cycles of a dense linear layer: {@code rows} tokens, {@code in -> out} features. */
  public double linearCycles(long rows, long in, long out) {
    double compute = (double) rows * in * out / multipliers;
    double input = rows * in / perCycle(p.inputBitsPerCycle());
    double weights = in * out / perCycle(p.coefficientBitsPerCycle());
    double output = rows * out / perCycle(p.outputBitsPerCycle());
    return Math.max(Math.max(compute, input), Math.max(weights, output));
  }

  /** Cycles of self-attention over {@code length} tokens of width {@code dim} in {@code heads}. */
  public double attentionCycles(long length, long dim, int heads) {
    double matmuls = 2.0 * length * length * dim / multipliers;
    double softmax = (double) heads * length * length / (multipliers / 4.0);
    double io =
        Math.max(
            3.0 * length * dim / perCycle(p.inputBitsPerCycle()),
            length * dim / perCycle(p.outputBitsPerCycle()));
    return Math.max(Math.max(matmuls, softmax), io) + p.softmaxDelayCycles();
  }

  /** Cycles of one Transformer block: Q/K/V and O projections, attention, the FFN. */
  public double transformerBlockCycles(long length, long hidden, long ffn, int heads) {
    return linearCycles(length, hidden, 3 * hidden)
        + attentionCycles(length, hidden, heads)
        + linearCycles(length, hidden, hidden)
        + linearCycles(length, hidden, ffn)
        + linearCycles(length, ffn, hidden);
  }

  /**
   * Cycles of one FBfly block run as dense matrix products on this engine: the hidden DFT as a real
   * {@code d -> 2d} product (real and imaginary parts), the real part of the sequence DFT as two
   * real {@code L'-by-L'} products over the d complex columns, and the two butterfly layers
   * multiplied out into dense {@code d -> h} and {@code h -> d} matrices. This separates what the
   * algorithm saves from what the butterfly hardware adds.
   */
  public double fbflyBlockCycles(long length, long hidden, long ffn) {
    long lp = ButterflyCostModel.ceilPow2(length);
    return linearCycles(length, hidden, 2 * hidden)
        + 2 * linearCycles(hidden, lp, lp)
        + linearCycles(length, hidden, ffn)
        + linearCycles(length, ffn, hidden);
  }

  /** Milliseconds of a network of Transformer blocks ({@code net.denseBlocks()}), batch 1. */
  public double transformerMillis(ButterflyNetwork net) {
    return p.cyclesToMillis(
        net.denseBlocks()
            * transformerBlockCycles(net.length(), net.hidden(), net.ffn(), net.heads()));
  }

  /** Milliseconds of a network of FBfly blocks ({@code net.fbflyBlocks()}) as dense products. */
  public double fabnetMillis(ButterflyNetwork net) {
    return p.cyclesToMillis(
        net.fbflyBlocks() * fbflyBlockCycles(net.length(), net.hidden(), net.ffn()));
  }
}
