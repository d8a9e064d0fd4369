package io.edgenpu.service.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.InferenceRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Element counts against shapes in the JSON decoder (a fuzzing finding: scalar data, empty shape).
 */
class InferJsonCodecTest {
  private static final InferJsonCodec CODEC = new InferJsonCodec(1 << 20);

  private static InferenceRequest decode(String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    return CODEC.decode("m", "", body, body.length, 0);
  }

  @Test
  void aScalarDataValueForAShapeWithNoElementsIsTheClientsError() {
    assertThatThrownBy(
            () ->
                decode(
                    "{\"inputs\":[{\"name\":\"x\",\"shape\":[0,4],\"datatype\":\"FP32\",\"data\":1}]}"))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("more data elements than its shape allows");
  }

  @Test
  void aScalarDataValueForOneElementIsAccepted() {
    InferenceRequest r =
        decode("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":1.5}]}");
    assertThat(r.inputs().get(0).tensor().toFloatArray()).containsExactly(1.5f);
  }
}
