package io.imagegen.common.config;

import java.util.List;

/** Start-up configuration is invalid; the message names every offending variable. */
public final class ConfigException extends RuntimeException {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super("Invalid configuration:\n  - " + String.join("\n  - ", problems));
    this.problems = problems;
  }

  public List<String> problems() {
    return problems;
  }
}
