package io.edgenpu.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Strict, typed reading of one YAML mapping, with positions in every error. Each key must be read
 * by the caller; {@link #finish()} then rejects the keys nobody read ("unknown key 'x'; known:
 * ..."), so a typo in a configuration file is an error that names the file and line, never a silent
 * default. Not thread-safe; used once while loading a file.
 */
public final class YamlMap {
  private final String file;
  private final MappingNode node;
  private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
  private final Set<String> used = new LinkedHashSet<>();

  private YamlMap(String file, MappingNode node) {
    this.file = file;
    this.node = node;
    for (NodeTuple t : node.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode k)) {
        throw error(t.getKeyNode(), "keys must be plain strings");
      }
      if (entries.put(k.getValue(), t) != null) {
        throw error(k, "duplicate key '" + k.getValue() + "'");
      }
    }
  }

  /** Parses a file whose top level must be a mapping. */
  public static YamlMap load(Path path) throws IOException {
    return parse(path.toString(), Files.readString(path, StandardCharsets.UTF_8));
  }

  public static YamlMap parse(String fileName, String text) {
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(fileName)
            .setAllowDuplicateKeys(true)
            .setMaxAliasesForCollections(10)
            .build();
    Optional<Node> root;
    try {
      root = new Compose(settings).composeString(text);
    } catch (MarkedYamlEngineException e) {
      Mark m = e.getProblemMark().orElse(null);
      throw new ConfigException(
          fileName,
          m == null ? 0 : m.getLine() + 1,
          m == null ? 0 : m.getColumn() + 1,
          "not valid YAML: " + e.getProblem());
    } catch (YamlEngineException e) {
      throw new ConfigException(fileName, 0, 0, "not valid YAML: " + e.getMessage());
    }
    if (root.isEmpty()) {
      throw new ConfigException(fileName, 0, 0, "the file is empty");
    }
    if (!(root.get() instanceof MappingNode m)) {
      throw new ConfigException(
          fileName, line(root.get()), column(root.get()), "the top level must be a mapping");
    }
    return new YamlMap(fileName, m);
  }

  private static int line(Node n) {
    return n.getStartMark().map(m -> m.getLine() + 1).orElse(0);
  }

  private static int column(Node n) {
    return n.getStartMark().map(m -> m.getColumn() + 1).orElse(0);
  }

  public ConfigException error(Node at, String reason) {
    return new ConfigException(file, line(at), column(at), reason);
  }

  /** An error located at a key of this mapping (or the mapping itself when the key is absent). */
  public ConfigException error(String key, String reason) {
    NodeTuple t = entries.get(key);
    return error(
        t == null ? node : t.getValueNode(), (t == null ? "" : "'" + key + "': ") + reason);
  }

  public String file() {
    return file;
  }

  public boolean has(String key) {
    used.add(key);
    return entries.containsKey(key);
  }

  /** Whether the value of {@code key} is a list. */
  public boolean isList(String key) {
    NodeTuple t = entries.get(key);
    return t != null && t.getValueNode() instanceof SequenceNode;
  }

  private @Nullable Node value(String key) {
    used.add(key);
    NodeTuple t = entries.get(key);
    return t == null ? null : t.getValueNode();
  }

  private @Nullable String scalar(String key) {
    Node v = value(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof ScalarNode s)) {
      throw error(v, "'" + key + "' must be a single value");
    }
    return s.getValue();
  }

  public String string(String key, String def) {
    String s = scalar(key);
    return s == null ? def : s;
  }

  public String requireString(String key) {
    String s = scalar(key);
    if (s == null || s.isBlank()) {
      throw error(key, "required key '" + key + "' is missing");
    }
    return s;
  }

  public long integer(String key, long def) {
    String s = scalar(key);
    if (s == null) {
      return def;
    }
    try {
      return Long.parseLong(s.trim().replace("_", ""));
    } catch (NumberFormatException e) {
      throw error(key, "expected an integer, got '" + s + "'");
    }
  }

  public int intValue(String key, int def) {
    long v = integer(key, def);
    if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
      throw error(key, "value out of range: " + v);
    }
    return (int) v;
  }

  public double number(String key, double def) {
    String s = scalar(key);
    if (s == null) {
      return def;
    }
    try {
      double d = Double.parseDouble(s.trim().replace("_", ""));
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw error(key, "expected a number, got '" + s + "'");
    }
  }

  public boolean bool(String key, boolean def) {
    String s = scalar(key);
    if (s == null) {
      return def;
    }
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw error(key, "expected true or false, got '" + s + "'");
    };
  }

  /**
   * A duration such as {@code 500us}, {@code 20ms}, {@code 1.5s}; a bare number is microseconds.
   */
  public Duration duration(String key, Duration def) {
    String s = scalar(key);
    if (s == null) {
      return def;
    }
    try {
      return Durations.parse(s);
    } catch (IllegalArgumentException e) {
      throw error(key, "expected a duration such as 500us, 20ms or 1s, got '" + s + "'");
    }
  }

  public <E extends Enum<E>> E enumValue(String key, Class<E> type, E def) {
    String s = scalar(key);
    if (s == null) {
      return def;
    }
    String norm = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(norm)) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    throw error(key, "expected one of " + names + ", got '" + s + "'");
  }

  /** A nested mapping, or null when absent. */
  public @Nullable YamlMap map(String key) {
    Node v = value(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof MappingNode m)) {
      throw error(v, "'" + key + "' must be a mapping");
    }
    return new YamlMap(file, m);
  }

  /** A list of mappings (empty when absent). */
  public List<YamlMap> mapList(String key) {
    Node v = value(key);
    List<YamlMap> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (!(v instanceof SequenceNode seq)) {
      throw error(v, "'" + key + "' must be a list");
    }
    for (Node item : seq.getValue()) {
      if (!(item instanceof MappingNode m)) {
        throw error(item, "each entry of '" + key + "' must be a mapping");
      }
      out.add(new YamlMap(file, m));
    }
    return out;
  }

  /** A list of scalars (empty when absent). */
  public List<String> stringList(String key) {
    Node v = value(key);
    List<String> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (!(v instanceof SequenceNode seq)) {
      throw error(v, "'" + key + "' must be a list");
    }
    for (Node item : seq.getValue()) {
      if (!(item instanceof ScalarNode s)) {
        throw error(item, "each entry of '" + key + "' must be a single value");
      }
      out.add(s.getValue());
    }
    return out;
  }

  public List<Long> longList(String key) {
    List<Long> out = new ArrayList<>();
    for (String s : stringList(key)) {
      try {
        out.add(Long.parseLong(s.trim()));
      } catch (NumberFormatException e) {
        throw error(key, "expected a list of integers, got '" + s + "'");
      }
    }
    return out;
  }

  /**
   * The entries of a nested mapping as plain values (scalars as strings, lists as lists), or an
   * empty map.
   */
  public Map<String, Object> plainMap(String key) {
    YamlMap m = map(key);
    Map<String, Object> out = new LinkedHashMap<>();
    if (m == null) {
      return out;
    }
    for (Map.Entry<String, NodeTuple> e : m.entries.entrySet()) {
      out.put(e.getKey(), plain(e.getValue().getValueNode()));
    }
    return out;
  }

  private Object plain(Node n) {
    if (n instanceof ScalarNode s) {
      return s.getValue();
    }
    if (n instanceof SequenceNode seq) {
      List<Object> l = new ArrayList<>();
      for (Node item : seq.getValue()) {
        l.add(plain(item));
      }
      return l;
    }
    throw error(n, "nested mappings are not allowed here");
  }

  /** Keys present in the file. */
  public Set<String> keys() {
    return entries.keySet();
  }

  /** Throws on the first key that was never read, listing the known keys. */
  public void finish() {
    for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
      if (!used.contains(e.getKey())) {
        throw error(
            e.getValue().getKeyNode(), "unknown key '" + e.getKey() + "'; known keys: " + used);
      }
    }
  }
}
