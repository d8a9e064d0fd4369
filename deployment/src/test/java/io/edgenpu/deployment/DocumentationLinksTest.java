package io.edgenpu.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The repository explains itself: every Markdown link to a file (and to a heading in a Markdown
 * file) and every mention of a Markdown document in code, comments, configuration and prose
 * resolves inside the repository. A reference to a document the repository does not hold fails the
 * build.
 */
class DocumentationLinksTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
  private static final Pattern MENTION =
      Pattern.compile("(?<![\\w/.-])((?:[\\w.-]+/)*[\\w.-]+\\.md)\\b");
  private static final Set<String> SOURCES =
      Set.of(".md", ".java", ".yaml", ".yml", ".xml", ".py", ".sh", ".tpl", ".txt");
  private static List<Path> files;
  private static Set<String> markdownNames;

  @BeforeAll
  static void collect() throws IOException {
    try (Stream<Path> all = Files.walk(ROOT)) {
      files =
          all.filter(Files::isRegularFile)
              .filter(
                  p ->
                      !ROOT.relativize(p)
                          .toString()
                          .matches("(?:.*/)?(?:target|node_modules|\\.git|\\.mvn)(?:/.*)?"))
              .filter(p -> SOURCES.stream().anyMatch(ext -> p.toString().endsWith(ext)))
              .toList();
    }
    markdownNames = new HashSet<>();
    for (Path p : files) {
      if (p.toString().endsWith(".md")) {
        markdownNames.add(p.getFileName().toString());
      }
    }
  }

  @Test
  void everyMarkdownLinkResolves() {
    List<String> broken = new ArrayList<>();
    for (Path file : files) {
      if (!file.toString().endsWith(".md")) {
        continue;
      }
      String text = read(file);
      Matcher m = LINK.matcher(text);
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("^[a-z][a-z0-9+.-]*:.*") || target.startsWith("#")) {
          continue; // a URL, or an anchor in the same file
        }
        String path = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
        String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
        Path resolved = file.getParent().resolve(path).normalize();
        if (!resolved.startsWith(ROOT) || !Files.exists(resolved)) {
          broken.add(ROOT.relativize(file) + ": " + target);
        } else if (anchor != null
            && resolved.toString().endsWith(".md")
            && !anchors(resolved).contains(anchor)) {
          broken.add(ROOT.relativize(file) + ": " + target + " (no such heading)");
        }
      }
    }
    assertThat(broken).as("Markdown links that do not resolve").isEmpty();
  }

  @Test
  void everyMentionedDocumentIsInTheRepository() {
    List<String> missing = new ArrayList<>();
    for (Path file : files) {
      String text = read(file);
      Matcher m = MENTION.matcher(text);
      while (m.find()) {
        String name = m.group(1);
        Path path = Path.of(name);
        boolean found =
            name.contains("/")
                ? Files.exists(file.getParent().resolve(name).normalize())
                    || Files.exists(ROOT.resolve(name).normalize())
                    || Files.exists(ROOT.resolve(name.replaceFirst("^(\\.\\./)+", "")))
                : markdownNames.contains(path.getFileName().toString());
        if (!found) {
          missing.add(ROOT.relativize(file) + ": " + name);
        }
      }
    }
    assertThat(missing).as("documents mentioned but not in the repository").isEmpty();
  }

  /**
   * GitHub's heading anchors of a Markdown file: lower case, punctuation dropped, spaces as
   * hyphens.
   */
  static Set<String> anchors(Path markdown) {
    Set<String> out = new HashSet<>();
    for (String line : read(markdown).lines().toList()) {
      if (line.startsWith("#")) {
        String heading = line.replaceFirst("^#+\\s*", "").trim().toLowerCase(Locale.ROOT);
        out.add(heading.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
      }
    }
    return out;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
