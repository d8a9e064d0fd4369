package io.edgenpu.npu.profile;

/**
 * What one precision mode costs: bytes per activation and per weight element, and the MAC cost
 * relative to A8W8 (cycles are multiplied by it: an A16W8 MAC at 2.0 takes twice the array time).
 * Immutable.
 */
public record PrecisionCost(double activationBytes, double weightBytes, double macCost) {
  public PrecisionCost {
    if (activationBytes <= 0 || weightBytes <= 0 || macCost <= 0) {
      throw new IllegalArgumentException("precision costs must be positive");
    }
  }
}
