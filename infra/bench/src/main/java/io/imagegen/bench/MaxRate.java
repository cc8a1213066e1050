package io.imagegen.bench;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the highest sustained open-loop rate: steps the rate by {@code factor} until a step is not sustained (p99
 * above the limit, more than 1 % failures, or under 95 % of the offered rate served), then tries the geometric
 * midpoint once (unless {@code refine} is off). Each step drains before the next starts, so an overloaded step does not spill into the next.
 */
final class MaxRate {
  static final double P99_LIMIT_MS = 100;

  record Search(double maxRate, boolean capped, List<LoadResult> steps) {
  }

  private MaxRate() {
  }

  static Search search(Vertx vertx, String name, LoadGen.Call call, double startRate, double capRate, double factor,
      double warmupSeconds, double measureSeconds, boolean refine) throws Exception {
    return search(vertx, name, call, startRate, capRate, factor, warmupSeconds, measureSeconds, refine, P99_LIMIT_MS);
  }

  /** The same search with another p99 bound, e.g. for requests that wait for a model. */
  static Search search(Vertx vertx, String name, LoadGen.Call call, double startRate, double capRate, double factor,
      double warmupSeconds, double measureSeconds, boolean refine, double p99LimitMs) throws Exception {
    List<LoadResult> steps = new ArrayList<>();
    double pass = 0;
    double fail = Double.NaN;
    double rate = startRate;
    // Upwards from the start until something breaks (or the cap, beyond which the generator is the bottleneck).
    while (rate <= capRate) {
      if (step(vertx, name, call, rate, warmupSeconds, measureSeconds, steps, p99LimitMs)) {
        pass = rate;
        rate = Math.round(rate * factor);
      } else {
        fail = rate;
        break;
      }
    }
    // The start was already too much: downwards until something holds.
    while (pass == 0 && rate >= 25) {
      rate = Math.round(rate / factor);
      if (step(vertx, name, call, rate, warmupSeconds, measureSeconds, steps, p99LimitMs)) {
        pass = rate;
      } else {
        fail = rate;
      }
    }
    if (refine && pass > 0 && !Double.isNaN(fail) && fail > pass) {
      double mid = Math.round(Math.sqrt(pass * fail));
      if (mid > pass && mid < fail && step(vertx, name, call, mid, warmupSeconds, measureSeconds, steps, p99LimitMs)) {
        pass = mid;
      }
    }
    return new Search(pass, Double.isNaN(fail), steps);
  }

  private static boolean step(Vertx vertx, String name, LoadGen.Call call, double rate, double warmupSeconds,
      double measureSeconds, List<LoadResult> steps, double p99LimitMs) throws Exception {
    LoadResult result = LoadGen.run(vertx, new LoadGen.Spec(name + "@" + (long) rate, rate, warmupSeconds,
        measureSeconds), call);
    steps.add(result);
    boolean ok = result.sustained(p99LimitMs);
    Log.info("  %s %s", result.oneLine(), ok ? "sustained" : "NOT sustained");
    // Let queues empty and the JIT settle between steps.
    Thread.sleep(1000);
    return ok;
  }
}
