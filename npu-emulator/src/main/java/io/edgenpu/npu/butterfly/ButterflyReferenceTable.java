package io.edgenpu.npu.butterfly;

import java.util.List;

/**
 * docs/papers/fabnet.md: the reference simulator's latency of all-FBfly FABNet-Base (12 layers, d
 * 768, FFN 3072) and FABNet-Large (24 layers, d 1024, FFN 4096) on the two published accelerator
 * configurations, in milliseconds. Our {@link ButterflyCostModel} in {@link
 * ButterflyCostModel.Mode#LEGACY_SEQUENCE_PASS} reproduces every entry within ±1% (golden test).
 */
public final class ButterflyReferenceTable {
  /** One published latency. */
  public record Entry(String profile, String size, int length, double millis) {
    public int hidden() {
      return size.equals("base") ? 768 : 1024;
    }

    public int ffn() {
      return size.equals("base") ? 3072 : 4096;
    }

    public int layers() {
      return size.equals("base") ? 12 : 24;
    }

    /** Our model's latency for this entry, milliseconds. */
    public double modelledMillis(ButterflyCostModel.Mode mode) {
      return new ButterflyCostModel(ButterflyProfiles.preset(profile))
          .networkMillis(length, hidden(), ffn(), layers(), 0, 12, mode);
    }
  }

  public static final List<Entry> ENTRIES =
      List.of(
          new Entry("butterfly-vcu128-be120", "base", 128, 2.00),
          new Entry("butterfly-vcu128-be120", "base", 256, 3.20),
          new Entry("butterfly-vcu128-be120", "base", 512, 5.60),
          new Entry("butterfly-vcu128-be120", "base", 768, 8.01),
          new Entry("butterfly-vcu128-be120", "base", 1024, 10.41),
          new Entry("butterfly-vcu128-be120", "large", 128, 3.99),
          new Entry("butterfly-vcu128-be120", "large", 256, 6.40),
          new Entry("butterfly-vcu128-be120", "large", 512, 11.20),
          new Entry("butterfly-vcu128-be120", "large", 768, 16.01),
          new Entry("butterfly-vcu128-be120", "large", 1024, 20.82),
          new Entry("butterfly-zynq7045-be20", "base", 128, 27.09),
          new Entry("butterfly-zynq7045-be20", "base", 256, 53.76),
          new Entry("butterfly-zynq7045-be20", "base", 512, 111.55),
          new Entry("butterfly-zynq7045-be20", "base", 768, 169.34),
          new Entry("butterfly-zynq7045-be20", "base", 1024, 227.13),
          new Entry("butterfly-zynq7045-be20", "large", 128, 54.18),
          new Entry("butterfly-zynq7045-be20", "large", 256, 107.52),
          new Entry("butterfly-zynq7045-be20", "large", 512, 223.10),
          new Entry("butterfly-zynq7045-be20", "large", 768, 338.68),
          new Entry("butterfly-zynq7045-be20", "large", 1024, 454.26));

  private ButterflyReferenceTable() {}
}
