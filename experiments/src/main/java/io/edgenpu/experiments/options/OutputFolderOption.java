package io.edgenpu.experiments.options;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --out}: the folder a command writes its CSV files and charts to (created when missing).
 */
public final class OutputFolderOption {
  @Option(names = "--out", required = true, description = "output folder (created when missing)")
  Path path;

  /** Creates the folder (and its parents) and returns it. */
  public Path create() throws IOException {
    return Files.createDirectories(path);
  }

  public Path path() {
    return path;
  }

  /** A file in the folder. */
  public Path resolve(String file) {
    return path.resolve(file);
  }
}
