package io.imagegen.api.usage;

import io.imagegen.common.config.Env;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code IMAGEGEN_KEY_BUDGETS}: comma-separated {@code name=amount currency per day|month} entries, at most one per
 * key and currency. A budget limits what a key may spend in one currency per calendar period (UTC); models priced in
 * another currency are not limited by it (docs/api.md#budgets).
 */
public final class Budgets {
  static final String VARIABLE = "IMAGEGEN_KEY_BUDGETS";
  private static final Pattern ENTRY = Pattern.compile(
      "([A-Za-z0-9_.-]{1,64})=(\\d{1,12}(?:\\.\\d{1,6})?)\\s+([A-Za-z]{3})\\s+per\\s+(day|month)");

  /** A calendar period in UTC. */
  public enum Period {
    DAY, MONTH;

    /** Unix second at which the period containing {@code now} began. */
    long start(Instant now) {
      LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
      return (this == DAY ? day : day.withDayOfMonth(1)).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    }

    /** Unix second at which that period ends. */
    long end(Instant now) {
      LocalDate start = LocalDate.ofInstant(Instant.ofEpochSecond(start(now)), ZoneOffset.UTC);
      return start.plus(1, this == DAY ? ChronoUnit.DAYS : ChronoUnit.MONTHS).atStartOfDay(ZoneOffset.UTC)
          .toEpochSecond();
    }
  }

  /** What {@code owner} may spend in {@code currency} per {@code period}. */
  public record Budget(String owner, BigDecimal amount, String currency, Period period) {
  }

  private final Map<String, List<Budget>> byOwner;

  Budgets(List<Budget> budgets) {
    Map<String, List<Budget>> grouped = new HashMap<>();
    budgets.forEach(budget -> grouped.computeIfAbsent(budget.owner(), owner -> new ArrayList<>()).add(budget));
    grouped.replaceAll((owner, list) -> List.copyOf(list));
    this.byOwner = Map.copyOf(grouped);
  }

  /** Parses the variable; every malformed entry, unknown key or repeated key and currency is recorded on {@code env}. */
  public static Budgets from(Env env, Set<String> keyNames) {
    String raw = env.raw(VARIABLE);
    List<Budget> budgets = new ArrayList<>();
    if (raw == null || raw.isBlank()) {
      return new Budgets(budgets);
    }
    Set<String> seen = new java.util.HashSet<>();
    for (String item : raw.split(",")) {
      String entry = item.trim();
      Matcher m = ENTRY.matcher(entry);
      if (!m.matches()) {
        env.problem(VARIABLE + " entries must look like name=amount currency per day|month, e.g. "
            + "'dev=10 USD per day' (got '" + entry + "')");
        continue;
      }
      String owner = m.group(1);
      String currency = m.group(3).toUpperCase(java.util.Locale.ROOT);
      if (!keyNames.contains(owner)) {
        env.problem(VARIABLE + " names '" + owner + "', which is not a key in IMAGEGEN_API_KEYS");
        continue;
      }
      if (!seen.add(owner + " " + currency)) {
        env.problem(VARIABLE + " gives key '" + owner + "' two budgets in " + currency);
        continue;
      }
      budgets.add(new Budget(owner, new BigDecimal(m.group(2)), currency,
          Period.valueOf(m.group(4).toUpperCase(java.util.Locale.ROOT))));
    }
    return new Budgets(budgets);
  }

  /** The budgets of {@code owner}; none means unlimited. */
  List<Budget> of(String owner) {
    return byOwner.getOrDefault(owner, List.of());
  }

  boolean isEmpty() {
    return byOwner.isEmpty();
  }
}
