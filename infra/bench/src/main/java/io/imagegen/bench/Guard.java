package io.imagegen.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code --check}: compares this run's figures with the limits kept in {@code infra/bench/bench-targets.json}. Each
 * entry names a row (scenario and metric) and a {@code max} or {@code min} with a {@code tolerance} (a fraction of the
 * limit): a figure beyond limit x (1 + tolerance), or below limit x (1 - tolerance), or missing from a scenario that
 * ran, fails the check; entries marked {@code full_only} are skipped in a quick run. Only figures that hold across
 * machines are listed: counts, and ratios to a baseline measured in the same run (docs/performance.md#the-guard).
 */
final class Guard {
  /** What one entry concluded. */
  record Verdict(String scenario, String metric, double value, String limit, boolean passed) {
    String line() {
      return String.format("%-4s %-40s %10s  limit %-16s %s", scenario, metric, Report.number(value), limit,
          passed ? "ok" : "REGRESSED");
    }
  }

  private Guard() {
  }

  /** The verdicts for the entries of {@code targets} whose scenario is among {@code ran}. */
  static List<Verdict> check(Path targets, Set<String> ran, List<Result> results, boolean quick) throws IOException {
    JsonArray entries = new JsonObject(Files.readString(targets)).getJsonArray("checks");
    List<Verdict> verdicts = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      JsonObject entry = entries.getJsonObject(i);
      String scenario = entry.getString("scenario");
      // Throughput windows of a quick run are a few seconds long: too short for the entries marked full_only.
      if (!ran.contains(scenario) || quick && entry.getBoolean("full_only", false)) {
        continue;
      }
      String metric = entry.getString("metric");
      double tolerance = entry.getDouble("tolerance", 0.0);
      double value = results.stream().filter(r -> r.scenario().equals(scenario) && r.metric().equals(metric))
          .mapToDouble(Result::value).findFirst().orElse(Double.NaN);
      boolean passed;
      String limit;
      if (entry.containsKey("max")) {
        double bound = entry.getDouble("max") * (1 + tolerance);
        passed = value <= bound;
        limit = "<= " + Report.number(bound);
      } else {
        double bound = entry.getDouble("min") * (1 - tolerance);
        passed = value >= bound;
        limit = ">= " + Report.number(bound);
      }
      verdicts.add(new Verdict(scenario, metric, value, limit, passed && Double.isFinite(value)));
    }
    return verdicts;
  }
}
