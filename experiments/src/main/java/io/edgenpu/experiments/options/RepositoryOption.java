package io.edgenpu.experiments.options;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --repository}: the model repository a command reads models from. */
public final class RepositoryOption {
  @Option(
      names = "--repository",
      defaultValue = "models/repository",
      description = "model repository (default: ${DEFAULT-VALUE})")
  Path path;

  public Path path() {
    return path;
  }

  /** The folder of model {@code name}. */
  public Path resolve(String name) {
    return path.resolve(name);
  }
}
