package io.edgenpu.npu.quant;

/**
 * Emulated NPU time of one tile in the codec's two modes: the static configuration costs {@code
 * staticPerPixel} per low-resolution pixel of the tile's padded region; the enhanced one (the same
 * configuration plus dynamic range estimation on some layers) costs {@code enhancedPerPixel} per
 * pixel plus {@code enhancedPerTile} (the DRE's fixed synchronisation cost, once per layer per
 * tile). Nanoseconds.
 */
public record TileCost(double staticPerPixel, double enhancedPerPixel, double enhancedPerTile) {
  public TileCost {
    if (!(staticPerPixel >= 0) || !(enhancedPerPixel >= 0) || !(enhancedPerTile >= 0)) {
      throw new IllegalArgumentException("tile costs must be non-negative numbers");
    }
  }

  /** A codec whose two modes cost the same per pixel and nothing per tile (tests, tools). */
  public static TileCost flat(double perPixel) {
    return new TileCost(perPixel, perPixel, 0);
  }

  /** Nanoseconds of one tile in the given mode. */
  public double nanos(TileCodec.Tile t, boolean enhanced) {
    double pixels = t.pw() * (double) t.ph();
    return enhanced ? enhancedPerPixel * pixels + enhancedPerTile : staticPerPixel * pixels;
  }
}
