package io.imagegen.bench;

import io.vertx.core.json.JsonObject;

/**
 * One row of the results table.
 *
 * @param met null when there is nothing to compare against (informational figures, stand-ins)
 */
record Result(String scenario, String metric, double value, String unit, String target, Boolean met, String notes) {

  static Result info(String scenario, String metric, double value, String unit, String notes) {
    return new Result(scenario, metric, value, unit, "-", null, notes);
  }

  /** A figure that must be at most {@code limit}. */
  static Result atMost(String scenario, String metric, double value, String unit, double limit, String notes) {
    return new Result(scenario, metric, value, unit, "<= " + Report.number(limit) + " " + unit,
        !Double.isNaN(value) && value <= limit, notes);
  }

  /** A figure that must be at least {@code limit}. */
  static Result atLeast(String scenario, String metric, double value, String unit, double limit, String notes) {
    return new Result(scenario, metric, value, unit, ">= " + Report.number(limit) + (unit.isEmpty() ? "" : " " + unit),
        !Double.isNaN(value) && value >= limit, notes);
  }

  String metString() {
    return met == null ? "n/a" : met ? "yes" : "no";
  }

  JsonObject toJson() {
    return new JsonObject().put("scenario", scenario).put("metric", metric).put("value", Report.finite(value))
        .put("unit", unit).put("target", target).put("met", met).put("notes", notes);
  }
}
