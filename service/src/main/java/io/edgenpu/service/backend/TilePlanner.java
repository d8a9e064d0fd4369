package io.edgenpu.service.backend;

import io.edgenpu.api.tensor.Tensor;
import java.util.Map;

/**
 * How a model whose samples are image tiles plans a request: the images (UINT8 [N, C, H, W]) become
 * one sample per tile, each carrying its own {@link DeviceProgram}. Implemented by the NAWQ-SR
 * engine.
 */
public interface TilePlanner {
  /** Channels of the images (1: luma, 3: RGB planes). */
  int channels();

  /**
   * Splits images into tiles and chooses each tile's precision.
   *
   * @throws BadInputException for images or parameters the engine cannot take
   */
  PreparedRequest plan(Tensor images, Map<String, Object> parameters);
}
