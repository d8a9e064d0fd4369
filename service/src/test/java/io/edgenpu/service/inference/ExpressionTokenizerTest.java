package io.edgenpu.service.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class ExpressionTokenizerTest {
  private static final List<String> VOCAB =
      List.of(
          "<pad>", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "[MIN", "[MAX", "[MED", "[SM",
          "]");
  private final ExpressionTokenizer tokenizer = new ExpressionTokenizer(VOCAB);

  @Test
  void encodesWithTheModelsIdsAndPadsWithZero() {
    long[] ids = tokenizer.encode("[MAX 2 9 [MIN 4 7 ] 0 ]", 12);
    assertThat(ids).containsExactly(12, 3, 10, 11, 5, 8, 15, 1, 15, 0, 0, 0);
  }

  @Test
  void aVocabularyWithoutTheClosingBracketDropsIt() {
    ExpressionTokenizer lra = new ExpressionTokenizer(VOCAB.subList(0, VOCAB.size() - 1));
    assertThat(lra.encode("[MAX 2 9 [MIN 4 7] 0 ]", 8)).containsExactly(12, 3, 10, 11, 5, 8, 1, 0);
    assertThatThrownBy(() -> lra.encode("[SM 1 2 3 4 5 6 7 8 ]", 8))
        .hasMessageContaining("9 tokens; this model takes at most 8");
    assertThatThrownBy(() -> lra.encode(" ] ]]", 8))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("no tokens besides closing brackets");
  }

  @Test
  void closingBracketsMayTouchTheTokenBefore() {
    assertThat(ExpressionTokenizer.split(" [SM 1\t2]]\n"))
        .containsExactly("[SM", "1", "2", "]", "]");
    assertThat(ExpressionTokenizer.split("]")).containsExactly("]");
  }

  @Test
  void rejectsEmptyUnknownAndOverLongInputWithReasons() {
    assertThatThrownBy(() -> tokenizer.encode("  ", 8))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> tokenizer.encode("[MAX 2 x ]", 8))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("unknown token 'x' at position 3");
    assertThatThrownBy(() -> tokenizer.encode("[MAX 2 10 ]", 8))
        .hasMessageContaining("unknown token '10'");
    assertThatThrownBy(() -> tokenizer.encode("[SM 1 2 3 4 5 6 7 ]", 8))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("9 tokens; this model takes at most 8");
    assertThatThrownBy(() -> tokenizer.encode("<pad>", 8))
        .hasMessageContaining("unknown token '<pad>'");
    InferenceException e =
        Assertions.assertThrows(InferenceException.class, () -> tokenizer.encode("?", 4));
    assertThat(e.status()).isEqualTo(Status.INVALID_ARGUMENT);
  }
}
