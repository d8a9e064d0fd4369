package io.edgenpu.config;

/**
 * A configuration file is malformed: the message names the file, the line and column, and the
 * reason.
 */
public final class ConfigException extends RuntimeException {
  private final String file;
  private final int line;

  public ConfigException(String file, int line, int column, String reason) {
    super(file + (line > 0 ? ":" + line + ":" + column : "") + ": " + reason);
    this.file = file;
    this.line = line;
  }

  public String file() {
    return file;
  }

  /** 1-based line, 0 when unknown. */
  public int line() {
    return line;
  }
}
