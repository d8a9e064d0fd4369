package io.edgenpu.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class YamlMapTest {
  private enum Mode {
    FAST,
    SLOW_START
  }

  @Test
  void readsTypedValuesAndDefaults() {
    YamlMap m =
        YamlMap.parse(
            "a.yaml",
            """
        name: x
        count: 3
        ratio: 0.25
        on: true
        wait: 2ms
        mode: slow-start
        sizes: [1, 2, 4]
        tags: [a, b]
        inner: {k: v}
        """);
    assertThat(m.requireString("name")).isEqualTo("x");
    assertThat(m.intValue("count", 0)).isEqualTo(3);
    assertThat(m.number("ratio", 0)).isEqualTo(0.25);
    assertThat(m.bool("on", false)).isTrue();
    assertThat(m.duration("wait", Duration.ZERO)).isEqualTo(Duration.ofMillis(2));
    assertThat(m.enumValue("mode", Mode.class, Mode.FAST)).isEqualTo(Mode.SLOW_START);
    assertThat(m.longList("sizes")).containsExactly(1L, 2L, 4L);
    assertThat(m.stringList("tags")).containsExactly("a", "b");
    assertThat(m.map("inner").requireString("k")).isEqualTo("v");
    assertThat(m.intValue("absent", 7)).isEqualTo(7);
    m.finish();
  }

  @Test
  void anUnreadKeyIsAnErrorThatNamesFileAndLine() {
    YamlMap m = YamlMap.parse("b.yaml", "name: x\ncuont: 3\n");
    m.requireString("name");
    assertThatThrownBy(m::finish)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("b.yaml:2:")
        .hasMessageContaining("cuont");
  }

  @Test
  void mistakesNameTheLine() {
    List<String> cases = List.of("a: 1\na: 2\n", "a: [1\n", "- 1\n- 2\n", "");
    for (String text : cases) {
      assertThatThrownBy(() -> YamlMap.parse("c.yaml", text))
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("c.yaml");
    }
    YamlMap m = YamlMap.parse("d.yaml", "x: 1\ncount: many\n");
    assertThatThrownBy(() -> m.intValue("count", 0))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).line()).isEqualTo(2));
  }
}
