package io.imagegen.bench;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Requests the embedded S3 server received over a stretch of work, counted by its gateway per method and key prefix
 * ("PUT tasks", "GET tasks", "PUT images", "PUT owners"): what a job or a request costs the store
 * (docs/performance.md#storage-calls), independently of what the services think they sent.
 */
record S3Requests(Map<String, Long> counts) {
  static S3Requests between(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> diff = new TreeMap<>();
    after.forEach((key, count) -> {
      if (key.endsWith("(bucket)")) {
        // Bucket checks come with a service starting, not with a task.
        return;
      }
      long delta = count - before.getOrDefault(key, 0L);
      if (delta > 0) {
        diff.put(key, delta);
      }
    });
    return new S3Requests(diff);
  }

  long total() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Requests per unit of work, e.g. per task: the total over {@code units}. */
  double per(long units) {
    return units == 0 ? Double.NaN : (double) total() / units;
  }

  /** "PUT tasks 2.00, PUT images 1.00, ..." per unit. */
  String perUnit(long units) {
    return counts.entrySet().stream().map(e -> String.format("%s %.2f", e.getKey(), (double) e.getValue() / units))
        .collect(Collectors.joining(", "));
  }

  JsonObject toJson(long units) {
    JsonObject json = new JsonObject().put("units", units).put("total", total());
    counts.forEach(json::put);
    return json;
  }
}
