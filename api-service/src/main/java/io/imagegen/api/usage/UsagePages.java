package io.imagegen.api.usage;

import io.imagegen.common.errors.InvalidRequestException;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The usage and costs pages in the shape of OpenAI's organization usage API: {@code page} of {@code bucket}s of
 * results, one bucket per {@code bucket_width} from {@code start_time}, {@code limit} buckets per page, the next page
 * named by {@code next_page} (docs/api.md#usage-and-costs).
 */
final class UsagePages {
  /** Allowed widths with OpenAI's default and maximum bucket counts per page. */
  private record Width(long seconds, int defaultLimit, int maxLimit) {
  }

  private static final Map<String, Width> WIDTHS = Map.of("1m", new Width(60, 60, 1440), "1h",
      new Width(3600, 24, 168), "1d", new Width(86_400, 7, 31));
  private static final Set<String> USAGE_GROUPS = Set.of("model", "size", "status");
  private static final Set<String> COST_GROUPS = Set.of("model", "line_item");

  private final UsageAggregate aggregate;
  private final Clock clock;

  UsagePages(UsageAggregate aggregate, Clock clock) {
    this.aggregate = aggregate;
    this.clock = clock;
  }

  JsonObject images(Predicate<String> owners, MultiMap query) {
    List<String> groups = groups(query, USAGE_GROUPS);
    UnaryOperator<UsageAggregate.Cell> group = cell -> new UsageAggregate.Cell(
        groups.contains("model") ? cell.model() : null, groups.contains("size") ? cell.size() : null,
        groups.contains("status") ? cell.status() : null, null);
    return page(owners, query, group, (cell, totals) -> {
      JsonObject result = new JsonObject().put("object", "organization.usage.images.result")
          .put("images", totals.images).put("num_model_requests", totals.requests)
          .put("model", cell.model()).put("size", cell.size()).put("status", cell.status())
          .putNull("source").putNull("project_id").putNull("user_id").putNull("api_key_id");
      return result;
    });
  }

  JsonObject costs(Predicate<String> owners, MultiMap query) {
    List<String> groups = groups(query, COST_GROUPS);
    boolean byModel = !groups.isEmpty();
    // Amounts are always split by currency: a sum across currencies means nothing.
    UnaryOperator<UsageAggregate.Cell> group = cell -> new UsageAggregate.Cell(byModel ? cell.model() : null, null,
        null, cell.currency());
    return page(owners, query, group, (cell, totals) -> new JsonObject().put("object", "organization.costs.result")
        .put("amount", new JsonObject().put("value", totals.amount).put("currency", cell.currency()))
        .put("line_item", cell.model()).putNull("project_id"));
  }

  private JsonObject page(Predicate<String> owners, MultiMap query, UnaryOperator<UsageAggregate.Cell> group,
      java.util.function.BiFunction<UsageAggregate.Cell, UsageAggregate.Totals, JsonObject> render) {
    long start = unixSeconds(query, "start_time", null);
    long end = unixSeconds(query, "end_time", clock.instant().getEpochSecond());
    if (end <= start) {
      throw InvalidRequestException.field("end_time", "end_time must be after start_time");
    }
    String widthName = query.get("bucket_width") == null ? "1d" : query.get("bucket_width");
    Width width = WIDTHS.get(widthName);
    if (width == null) {
      throw InvalidRequestException.field("bucket_width", "bucket_width must be one of 1m, 1h, 1d");
    }
    int limit = width.defaultLimit();
    if (query.get("limit") != null) {
      limit = (int) whole(query.get("limit"), "limit", 1, width.maxLimit());
    }
    // Buckets are whole minutes at least: the ledger is folded per minute.
    long first = start - Math.floorMod(start, 60L);
    long from = query.get("page") == null ? first : whole(query.get("page"), "page", first, end - 1);
    if ((from - first) % width.seconds() != 0) {
      throw InvalidRequestException.field("page", "page must be a next_page value from an earlier answer");
    }
    long total = (end - from + width.seconds() - 1) / width.seconds();
    int count = (int) Math.min(limit, total);
    List<Map<UsageAggregate.Cell, UsageAggregate.Totals>> buckets = aggregate.buckets(owners, from,
        width.seconds(), count, group);
    JsonArray data = new JsonArray();
    for (int i = 0; i < count; i++) {
      long bucketStart = from + i * width.seconds();
      JsonArray results = new JsonArray();
      buckets.get(i).entrySet().stream()
          .sorted(Comparator.comparing(e -> e.getKey().toString()))
          .forEach(e -> results.add(render.apply(e.getKey(), e.getValue())));
      data.add(new JsonObject().put("object", "bucket").put("start_time", bucketStart)
          .put("end_time", Math.min(end, bucketStart + width.seconds())).put("results", results));
    }
    boolean more = total > count;
    JsonObject page = new JsonObject().put("object", "page").put("data", data).put("has_more", more);
    return more ? page.put("next_page", Long.toString(from + count * width.seconds())) : page.putNull("next_page");
  }

  /** {@code group_by} as repeated parameters, {@code group_by[]} or a comma-separated list. */
  private static List<String> groups(MultiMap query, Set<String> allowed) {
    List<String> groups = new ArrayList<>();
    List<String> raw = new ArrayList<>(query.getAll("group_by"));
    raw.addAll(query.getAll("group_by[]"));
    for (String value : raw) {
      for (String group : value.split(",")) {
        String name = group.trim();
        if (!allowed.contains(name)) {
          throw InvalidRequestException.field("group_by", "group_by may be " + String.join(", ",
              allowed.stream().sorted().toList()) + " (got '" + name + "')");
        }
        groups.add(name);
      }
    }
    return groups;
  }

  private static long unixSeconds(MultiMap query, String name, Long fallback) {
    String raw = query.get(name);
    if (raw == null || raw.isEmpty()) {
      if (fallback == null) {
        throw InvalidRequestException.field(name, name + " is required (Unix seconds)");
      }
      return fallback;
    }
    return whole(raw, name, 0, 253_402_300_799L);
  }

  private static long whole(String raw, String name, long min, long max) {
    try {
      long value = Long.parseLong(raw.trim());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // Reported below with the allowed range.
    }
    throw InvalidRequestException.field(name, name + " must be a whole number from " + min + " to " + max);
  }
}
