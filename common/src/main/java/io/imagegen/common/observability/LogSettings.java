package io.imagegen.common.observability;

import io.imagegen.common.config.Env;

/**
 * How a service logs (docs/operations.md#logs). Logback reads {@code IMAGEGEN_LOG_FORMAT} itself; it is checked here so
 * that a typo fails the start with the variable's name instead of silencing every line.
 *
 * @param prompts whether lines about a submit may carry its prompt ({@code IMAGEGEN_LOG_PROMPTS}, off by default)
 */
public record LogSettings(boolean prompts) {
  public static LogSettings from(Env env) {
    String format = env.string("IMAGEGEN_LOG_FORMAT", "json");
    if (!format.equals("json") && !format.equals("text")) {
      env.problem("IMAGEGEN_LOG_FORMAT must be json or text, not '" + format + "'");
    }
    return new LogSettings(env.bool("IMAGEGEN_LOG_PROMPTS", false));
  }
}
