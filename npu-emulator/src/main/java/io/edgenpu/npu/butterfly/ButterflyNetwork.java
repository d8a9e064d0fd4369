package io.edgenpu.npu.butterfly;

/**
 * The shape of a network as the butterfly accelerator sees it (a model config's {@code butterfly:}
 * section): {@code fbflyBlocks} FFT-mixing blocks, then {@code abflyBlocks} butterfly-attention
 * blocks, then {@code denseBlocks} vanilla Transformer blocks (dense projections and FFN, our [D]
 * extension that runs dense layers on the attention engine's MAC array). Embedding, pooling and the
 * classifier head are not modelled (they are a few thousand MACs per sequence).
 *
 * @param length tokens per sequence
 * @param hidden model width d
 * @param ffn feed-forward width h
 * @param heads attention heads (ABfly and dense blocks)
 */
public record ButterflyNetwork(
    int length, int hidden, int ffn, int fbflyBlocks, int abflyBlocks, int denseBlocks, int heads) {
  public ButterflyNetwork {
    if (length < 1 || hidden < 1 || ffn < 1 || heads < 1) {
      throw new IllegalArgumentException("length, hidden, ffn and heads must be >= 1");
    }
    if (fbflyBlocks < 0
        || abflyBlocks < 0
        || denseBlocks < 0
        || fbflyBlocks + abflyBlocks + denseBlocks == 0) {
      throw new IllegalArgumentException(
          "block counts must be >= 0 and at least one block is needed");
    }
  }

  /** A FABNet of FBfly blocks only. */
  public static ButterflyNetwork fabnet(int length, int hidden, int ffn, int blocks) {
    return new ButterflyNetwork(length, hidden, ffn, blocks, 0, 0, 1);
  }

  /** A vanilla Transformer of dense blocks. */
  public static ButterflyNetwork transformer(
      int length, int hidden, int ffn, int blocks, int heads) {
    return new ButterflyNetwork(length, hidden, ffn, 0, 0, blocks, heads);
  }
}
