package io.edgenpu.npu.butterfly;

/**
 * The adaptable butterfly accelerator of FABNet (docs/papers/fabnet.md): {@code engines} butterfly
 * engines (P_BE) of {@code unitsPerEngine} butterfly units each (P_BU, 2 elements per unit per
 * cycle), clocked at {@code clockMhz} with an implementation efficiency, {@code bitWidth}-bit data,
 * and three DRAM channels (input, output, coefficients) with the given widths in bits per cycle.
 * Attention (ABfly blocks) runs on a dense attention engine with {@code attentionMacsPerCycle} MACs
 * and a fixed softmax delay. Immutable.
 */
public record ButterflyProfile(
    String name,
    String description,
    int engines,
    int unitsPerEngine,
    double clockMhz,
    double efficiency,
    int bitWidth,
    int inputBitsPerCycle,
    int outputBitsPerCycle,
    int coefficientBitsPerCycle,
    int attentionMacsPerCycle,
    int softmaxDelayCycles) {

  public ButterflyProfile {
    if (engines < 1
        || unitsPerEngine < 1
        || clockMhz <= 0
        || efficiency <= 0
        || efficiency > 1
        || bitWidth < 1) {
      throw new IllegalArgumentException("invalid butterfly accelerator profile " + name);
    }
    for (int bw : new int[] {inputBitsPerCycle, outputBitsPerCycle, coefficientBitsPerCycle}) {
      if (bw < 2 * bitWidth || bw % (2 * bitWidth) != 0) {
        throw new IllegalArgumentException(
            "DRAM widths must be multiples of twice the data width (complex values)");
      }
    }
  }

  /** Milliseconds for a number of cycles, with the implementation efficiency. */
  public double cyclesToMillis(double cycles) {
    return cycles / (clockMhz * 1e3) / efficiency;
  }

  public ButterflyProfile withEngines(int be) {
    return new ButterflyProfile(
        name + "-be" + be,
        description,
        be,
        unitsPerEngine,
        clockMhz,
        efficiency,
        bitWidth,
        inputBitsPerCycle,
        outputBitsPerCycle,
        coefficientBitsPerCycle,
        attentionMacsPerCycle,
        softmaxDelayCycles);
  }
}
