package io.edgenpu.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @ParameterizedTest
  @CsvSource({
    "250ns, 250",
    "500us, 500000",
    "500µs, 500000",
    "2ms, 2000000",
    "1.5s, 1500000000",
    "' 20 MS ', 20000000",
    "750, 750000", // a bare number is microseconds
    "0.5, 500",
    "1.0E3, 1000000", // how a YAML float prints
  })
  void parsesEveryUnit(String text, long nanos) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofNanos(nanos));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "ms", "fast", "-1ms", "NaNms", "Infinity", "1e30s", "1h"})
  void rejectsWhatIsNotADuration(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(text);
  }

  @ParameterizedTest
  @CsvSource({"20000000, 20ms", "1500000, 1500us", "250, 250ns", "0, 0ms"})
  void formatsInTheShortestExactUnit(long nanos, String text) {
    assertThat(Durations.format(Duration.ofNanos(nanos))).isEqualTo(text);
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofNanos(nanos));
  }
}
