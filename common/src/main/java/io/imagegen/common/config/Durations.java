package io.imagegen.common.config;

import java.time.Duration;
import java.util.Locale;

/** The one duration notation of configuration and catalog files: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 24h}, {@code 2d}, {@code 0} or ISO-8601. */
public final class Durations {
  private Durations() {
  }

  /** Parses {@code value}; throws {@link IllegalArgumentException} with the value in the message. */
  public static Duration parse(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.equals("0")) {
        return Duration.ZERO;
      }
      if (v.startsWith("p")) {
        return Duration.parse(v.toUpperCase(Locale.ROOT));
      }
      int split = 0;
      while (split < v.length() && Character.isDigit(v.charAt(split))) {
        split++;
      }
      if (split == 0) {
        throw new IllegalArgumentException("not a duration: '" + value + "'");
      }
      long amount = Long.parseLong(v.substring(0, split));
      return switch (v.substring(split)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        case "d" -> Duration.ofDays(amount);
        default -> throw new IllegalArgumentException("not a duration: '" + value + "'");
      };
    } catch (java.time.DateTimeException | ArithmeticException e) {
      throw new IllegalArgumentException("not a duration: '" + value + "'", e);
    }
  }

  /** The shortest exact form: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 24h}. */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 3_600_000 == 0 && millis > 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis % 60_000 == 0 && millis > 0) {
      return millis / 60_000 + "m";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + "s";
    }
    return millis + "ms";
  }
}
