package io.imagegen.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import org.HdrHistogram.Histogram;

/** What one open-loop run measured; latencies in milliseconds from the intended send time. */
record LoadResult(String name, double targetRate, double achievedRate, long measured, long ok, long non2xx,
    long errors, double failedFraction, double p50, double p90, double p99, double p999, double max,
    double sendLagP99, long[] worstPerSecondMicros, List<String> errorSamples) {

  static LoadResult of(LoadGen.Spec spec, LatencyRecorder recorder, long timedOut, Histogram sendLag,
      List<String> errorSamples) {
    long errors = recorder.errors() + timedOut;
    long measured = recorder.measured() + timedOut;
    double failed = measured == 0 ? 0 : (double) (recorder.non2xx() + errors) / measured;
    Histogram h = recorder.histogram();
    return new LoadResult(spec.name(), spec.ratePerSecond(), recorder.achievedPerSecond(), measured, recorder.ok(),
        recorder.non2xx(), errors, failed, recorder.percentileMillis(50), recorder.percentileMillis(90),
        recorder.percentileMillis(99), recorder.percentileMillis(99.9),
        h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1000.0,
        sendLag.getTotalCount() == 0 ? 0 : sendLag.getValueAtPercentile(99) / 1000.0,
        recorder.worstPerSecondMicros(), errorSamples);
  }

  /** Sustained: the offered rate was served (95 %) with p99 within {@code p99LimitMs} and at most 1 % failures. */
  boolean sustained(double p99LimitMs) {
    return failedFraction <= 0.01 && achievedRate >= 0.95 * targetRate && p99 <= p99LimitMs;
  }

  String oneLine() {
    return String.format("%-24s target %7.0f/s achieved %7.1f/s  p50 %7.2f  p99 %8.2f  p99.9 %8.2f  max %8.2f ms"
            + "  ok %d non2xx %d err %d  (generator lag p99 %.1f ms)",
        name, targetRate, achievedRate, p50, p99, p999, max, ok, non2xx, errors, sendLagP99)
        + (errorSamples.isEmpty() ? "" : " errors: " + errorSamples);
  }

  JsonObject toJson() {
    return new JsonObject().put("name", name).put("target_rate", targetRate).put("achieved_rate", achievedRate)
        .put("measured", measured).put("ok", ok).put("non_2xx", non2xx).put("errors", errors)
        .put("failed_fraction", failedFraction).put("p50_ms", Report.finite(p50)).put("p90_ms", Report.finite(p90))
        .put("p99_ms", Report.finite(p99)).put("p999_ms", Report.finite(p999)).put("max_ms", Report.finite(max))
        .put("generator_send_lag_p99_ms", sendLagP99)
        .put("worst_ms_per_second", new JsonArray(Arrays.stream(worstPerSecondMicros).mapToObj(v -> v / 1000.0)
            .toList()))
        .put("error_samples", new JsonArray(errorSamples));
  }
}
