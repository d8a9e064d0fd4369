package io.edgenpu.service.inference;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a ListOps expression such as {@code [MAX 2 9 [MIN 4 7 ] 0 ]} into the token ids of a
 * model's own vocabulary ({@code vocab.txt}: one token per line, line i = id i, id 0 = padding),
 * right-padded with 0 to the model's sequence length. Tokens are separated by white space; a
 * closing bracket may touch the token before it ({@code 7]}). A vocabulary without {@code ]} (as
 * Long Range Arena's tokenizer, which keeps alphanumeric tokens only) has the closing brackets
 * dropped. Every problem is an {@link InferenceException} with status INVALID_ARGUMENT. Immutable,
 * thread-safe.
 */
public final class ExpressionTokenizer {
  private static final String CLOSING = "]";
  private final List<String> vocabulary;
  private final Map<String, Integer> ids = new HashMap<>();

  /**
   * @param vocabulary the model's tokens in id order; entry 0 is the padding token
   */
  public ExpressionTokenizer(List<String> vocabulary) {
    if (vocabulary.size() < 2) {
      throw new IllegalArgumentException(
          "a vocabulary needs a padding token and at least one token");
    }
    this.vocabulary = List.copyOf(vocabulary);
    for (int i = 1; i < vocabulary.size(); i++) {
      ids.put(vocabulary.get(i), i);
    }
  }

  public List<String> vocabulary() {
    return vocabulary;
  }

  /** The token strings of {@code expression}, before the vocabulary check. */
  public static List<String> split(String expression) {
    List<String> out = new ArrayList<>();
    for (String word : expression.trim().split("\\s+", -1)) {
      if (word.isEmpty()) {
        continue;
      }
      int closing = 0;
      while (word.length() > 1 && word.endsWith("]")) {
        word = word.substring(0, word.length() - 1);
        closing++;
      }
      out.add(word);
      for (int i = 0; i < closing; i++) {
        out.add("]");
      }
    }
    return out;
  }

  /**
   * Token ids of {@code expression}, padded with 0 to {@code length}.
   *
   * @throws InferenceException for empty input, an unknown token (named, with its position) or more
   *     tokens than {@code length}
   */
  public long[] encode(String expression, int length) {
    if (expression == null || expression.isBlank()) {
      throw InferenceException.invalid("the expression is empty");
    }
    List<String> tokens = split(expression);
    if (!ids.containsKey(CLOSING)) {
      tokens = tokens.stream().filter(t -> !t.equals(CLOSING)).toList();
      if (tokens.isEmpty()) {
        throw InferenceException.invalid(
            "the expression has no tokens besides closing brackets, which this model's vocabulary"
                + " drops");
      }
    }
    if (tokens.size() > length) {
      throw InferenceException.invalid(
          "the expression has " + tokens.size() + " tokens; this model takes at most " + length);
    }
    long[] out = new long[length];
    for (int i = 0; i < tokens.size(); i++) {
      Integer id = ids.get(tokens.get(i));
      if (id == null) {
        throw InferenceException.invalid(
            "unknown token '"
                + abbreviate(tokens.get(i))
                + "' at position "
                + (i + 1)
                + "; the vocabulary is "
                + vocabulary.subList(1, vocabulary.size()));
      }
      out[i] = id;
    }
    return out;
  }

  private static String abbreviate(String s) {
    return s.length() <= 32 ? s : s.substring(0, 32) + "...";
  }
}
