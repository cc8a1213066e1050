package io.imagegen.fake;

import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/** Snake_case JSON form of {@link Behaviour} for the admin API (docker-compose, benchmarks). */
final class BehaviourJson {

    private static final Set<String> KNOBS = Set.of("latency_ms", "latency", "fail_status", "fail_times",
            "error_rate", "seed", "retry_after_seconds", "malformed_body", "wrong_content_type", "empty_data",
            "slow_stream_bytes_per_second", "image_bytes", "hang", "content_policy", "dashscope_query_qps",
            "task_fail_code", "result_url_base", "result_not_image");

    private BehaviourJson() {
    }

    /**
     * Reads knobs over {@link Behaviour#normal()}: a POST replaces the whole behaviour, so what the caller
     * sees is exactly what the body says. Unknown names are rejected because a silently ignored typo
     * would make a benchmark measure the wrong thing.
     */
    static Behaviour fromJson(JsonObject j) {
        Set<String> unknown = new TreeSet<>(j.fieldNames());
        unknown.removeAll(KNOBS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown knobs " + unknown + "; known: " + new TreeSet<>(KNOBS));
        }
        Behaviour d = Behaviour.normal();
        return new Behaviour(
                latency(j),
                j.getInteger("fail_status", d.failStatus()),
                j.getInteger("fail_times", d.failTimes()),
                j.getDouble("error_rate", d.errorRate()),
                j.getLong("seed", d.seed()),
                j.getInteger("retry_after_seconds", d.retryAfterSeconds()),
                j.getBoolean("malformed_body", d.malformedBody()),
                j.getBoolean("wrong_content_type", d.wrongContentType()),
                j.getBoolean("empty_data", d.emptyData()),
                j.getLong("slow_stream_bytes_per_second", d.slowStreamBytesPerSecond()),
                j.getInteger("image_bytes", d.imageBytes()),
                j.getBoolean("hang", d.hang()),
                j.getBoolean("content_policy", d.contentPolicy()),
                j.getInteger("dashscope_query_qps", d.dashscopeQueryQps()),
                j.getString("task_fail_code", d.taskFailCode()),
                j.getString("result_url_base", d.resultUrlBase()),
                j.getBoolean("result_not_image", d.resultNotImage()));
    }

    /** Accepts {@code latency_ms} (number) or {@code latency} (milliseconds or ISO-8601 like "PT2S"). */
    private static Duration latency(JsonObject j) {
        if (j.containsKey("latency_ms")) {
            return Duration.ofMillis(j.getLong("latency_ms"));
        }
        Object v = j.getValue("latency");
        if (v == null) {
            return Duration.ZERO;
        }
        return v instanceof Number n ? Duration.ofMillis(n.longValue()) : Duration.parse(v.toString());
    }

    static JsonObject toJson(Behaviour b) {
        return new JsonObject()
                .put("latency_ms", b.latency().toMillis())
                .put("fail_status", b.failStatus())
                .put("fail_times", b.failTimes())
                .put("error_rate", b.errorRate())
                .put("seed", b.seed())
                .put("retry_after_seconds", b.retryAfterSeconds())
                .put("malformed_body", b.malformedBody())
                .put("wrong_content_type", b.wrongContentType())
                .put("empty_data", b.emptyData())
                .put("slow_stream_bytes_per_second", b.slowStreamBytesPerSecond())
                .put("image_bytes", b.imageBytes())
                .put("hang", b.hang())
                .put("content_policy", b.contentPolicy())
                .put("dashscope_query_qps", b.dashscopeQueryQps())
                .put("task_fail_code", b.taskFailCode())
                .put("result_url_base", b.resultUrlBase())
                .put("result_not_image", b.resultNotImage());
    }
}
