package io.imagegen.common.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads configuration from environment variables once, collecting every problem so that start-up fails with all
 * bad variables named at the same time.
 */
public final class Env {
  private final Map<String, String> vars;
  private final List<String> problems = new ArrayList<>();

  public Env(Map<String, String> vars) {
    this.vars = Map.copyOf(vars);
  }

  /** The process environment. */
  public static Env system() {
    return new Env(System.getenv());
  }

  /** The raw value, or {@code null} when unset or blank. */
  public String raw(String name) {
    String value = vars.get(name);
    return value == null || value.isBlank() ? null : value.trim();
  }

  public String string(String name, String fallback) {
    String value = raw(name);
    return value == null ? fallback : value;
  }

  public String required(String name) {
    String value = raw(name);
    if (value == null) {
      problems.add(name + " is required");
    }
    return value;
  }

  public int integer(String name, int fallback, int min, int max) {
    String value = raw(name);
    if (value == null) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value);
      if (parsed < min || parsed > max) {
        problems.add(name + " must be between " + min + " and " + max + ", got " + parsed);
        return fallback;
      }
      return parsed;
    } catch (NumberFormatException e) {
      problems.add(name + " must be an integer, got '" + value + "'");
      return fallback;
    }
  }

  public boolean bool(String name, boolean fallback) {
    String value = raw(name);
    if (value == null) {
      return fallback;
    }
    switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes" -> { return true; }
      case "false", "0", "no" -> { return false; }
      default -> {
        problems.add(name + " must be true or false, got '" + value + "'");
        return fallback;
      }
    }
  }

  /**
   * A duration written as ISO-8601 ({@code PT30S}), a number with a unit suffix ({@code 250ms}, {@code 30s},
   * {@code 5m}, {@code 24h}); must be positive.
   */
  public Duration duration(String name, Duration fallback) {
    return duration(name, fallback, false);
  }

  /** Like {@link #duration(String, Duration)} but {@code 0} is allowed (for delays that may be switched off). */
  public Duration durationOrZero(String name, Duration fallback) {
    return duration(name, fallback, true);
  }

  private Duration duration(String name, Duration fallback, boolean zeroAllowed) {
    String value = raw(name);
    if (value == null) {
      return fallback;
    }
    try {
      Duration parsed = Durations.parse(value);
      if (parsed.isNegative() || parsed.isZero() && !zeroAllowed) {
        problems.add(name + " must be positive, got '" + value + "'");
        return fallback;
      }
      return parsed;
    } catch (IllegalArgumentException e) {
      problems.add(name + " must be a duration like 250ms, 30s, 5m or 24h, got '" + value + "'");
      return fallback;
    }
  }

  public <E extends Enum<E>> E enumValue(String name, Class<E> type, E fallback) {
    String value = raw(name);
    if (value == null) {
      return fallback;
    }
    for (E constant : type.getEnumConstants()) {
      if (constant.name().replace('_', '-').equalsIgnoreCase(value) || constant.name().equalsIgnoreCase(value)) {
        return constant;
      }
    }
    List<String> allowed = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      allowed.add(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    problems.add(name + " must be one of " + allowed + ", got '" + value + "'");
    return fallback;
  }

  /** An absolute http(s) URI, or {@code null} when unset and no fallback is given. */
  public URI httpUri(String name, String fallback) {
    String value = string(name, fallback);
    if (value == null) {
      return null;
    }
    try {
      URI uri = URI.create(value);
      if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        problems.add(name + " must be an http(s) URL with a host, got '" + value + "'");
        return null;
      }
      return uri;
    } catch (IllegalArgumentException e) {
      problems.add(name + " must be an http(s) URL, got '" + value + "'");
      return null;
    }
  }

  /** Records a problem found by a caller's own cross-field check. */
  public void problem(String message) {
    problems.add(message);
  }

  /** Throws {@link ConfigException} listing every problem recorded so far. */
  public void validate() {
    if (!problems.isEmpty()) {
      throw new ConfigException(List.copyOf(problems));
    }
  }


}
