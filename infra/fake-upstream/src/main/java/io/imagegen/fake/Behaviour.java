package io.imagegen.fake;

import java.time.Duration;
import java.util.Objects;

/**
 * The failure and latency knobs of the fake upstream; one value applies to every vendor.
 *
 * <p>Immutable: derive variants with the {@code with...} methods, starting from {@link #normal()}.
 *
 * @param latency                  delay before a synchronous answer, or the run time of a DashScope task
 * @param failStatus               HTTP status of injected failures (0 = never fail)
 * @param failTimes                fail the first N generation requests, then succeed (0 = no counting)
 * @param errorRate                probability 0..1 that a generation request fails (seeded Random)
 * @param seed                     seed of the error-rate Random, so runs are repeatable
 * @param retryAfterSeconds        {@code Retry-After} on injected 429/503 answers (0 = header absent)
 * @param malformedBody            answer 200 with truncated, unparsable JSON
 * @param wrongContentType         answer 200 with an HTML page instead of JSON
 * @param emptyData                answer 200 with no images
 * @param slowStreamBytesPerSecond trickle every response body at this rate (0 = full speed)
 * @param imageBytes               pad each PNG with an ancillary chunk up to about this many bytes (0 = unpadded)
 * @param hang                     accept generation requests but never answer
 * @param contentPolicy            reject generations with the vendor's content-policy answer
 * @param dashscopeQueryQps        DashScope task-query limit per API key per second (0 = unlimited)
 * @param taskFailCode             DashScope tasks end FAILED with this code (null = tasks succeed)
 * @param resultUrlBase            result URLs point at this origin (e.g. {@code http://169.254.169.254}) instead of
 *                                 this server as the client reached it (null = this server)
 * @param resultNotImage           result URLs serve an HTML page instead of the image
 */
public record Behaviour(
        Duration latency,
        int failStatus,
        int failTimes,
        double errorRate,
        long seed,
        int retryAfterSeconds,
        boolean malformedBody,
        boolean wrongContentType,
        boolean emptyData,
        long slowStreamBytesPerSecond,
        int imageBytes,
        boolean hang,
        boolean contentPolicy,
        int dashscopeQueryQps,
        String taskFailCode,
        String resultUrlBase,
        boolean resultNotImage) {

    /** DashScope's documented task-query limit per account. */
    public static final int DASHSCOPE_DEFAULT_QPS = 20;

    /** Validates the knobs so that a typo fails at the call site rather than as odd traffic. */
    public Behaviour {
        Objects.requireNonNull(latency, "latency");
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative");
        }
        if (failStatus != 0 && (failStatus < 400 || failStatus > 599)) {
            throw new IllegalArgumentException("failStatus must be 0 or 400..599: " + failStatus);
        }
        if (errorRate < 0 || errorRate > 1) {
            throw new IllegalArgumentException("errorRate must be within 0..1: " + errorRate);
        }
        if (failTimes < 0 || retryAfterSeconds < 0 || slowStreamBytesPerSecond < 0 || imageBytes < 0
                || dashscopeQueryQps < 0) {
            throw new IllegalArgumentException("counts, sizes and rates must not be negative");
        }
    }

    /** Everything answers promptly and successfully. */
    public static Behaviour normal() {
        return new Behaviour(Duration.ZERO, 0, 0, 0, 42L, 0, false, false, false, 0, 0, false, false,
                DASHSCOPE_DEFAULT_QPS, null, null, false);
    }

    /** Same knobs with another latency. */
    public Behaviour withLatency(Duration v) {
        return new Behaviour(v, failStatus, failTimes, errorRate, seed, retryAfterSeconds, malformedBody,
                wrongContentType, emptyData, slowStreamBytesPerSecond, imageBytes, hang, contentPolicy,
                dashscopeQueryQps, taskFailCode, resultUrlBase, resultNotImage);
    }

    /** Same knobs with another failure status; alone (no failTimes/errorRate) every generation fails. */
    public Behaviour withFailStatus(int v) {
        return new Behaviour(latency, v, failTimes, errorRate, seed, retryAfterSeconds, malformedBody,
                wrongContentType, emptyData, slowStreamBytesPerSecond, imageBytes, hang, contentPolicy,
                dashscopeQueryQps, taskFailCode, resultUrlBase, resultNotImage);
    }

    /** Same knobs, failing only the first {@code v} generation requests. */
    public Behaviour withFailTimes(int v) {
        return new Behaviour(latency, failStatus, v, errorRate, seed, retryAfterSeconds, malformedBody,
                wrongContentType, emptyData, slowStreamBytesPerSecond, imageBytes, hang, contentPolicy,
                dashscopeQueryQps, taskFailCode, resultUrlBase, resultNotImage);
    }

    /** Same knobs, failing each generation request with probability {@code rate} drawn from {@code seed}. */
    public Behaviour withErrorRate(double rate, long seed) {
        return new Behaviour(latency, failStatus, failTimes, rate, seed, retryAfterSeconds, malformedBody,
                wrongContentType, emptyData, slowStreamBytesPerSecond, imageBytes, hang, contentPolicy,
                dashscopeQueryQps, taskFailCode, resultUrlBase, resultNotImage);
    }

    /** Same knobs with a {@code Retry-After} header on injected 429/503 answers. */
    public Behaviour withRetryAfterSeconds(int v) {
        return new Behaviour(latency, failStatus, failTimes, errorRate, seed, v, malformedBody,
                wrongContentType, emptyData, slowStreamBytesPerSecond, imageBytes, hang, contentPolicy,
                dashscopeQueryQps, taskFailCode, resultUrlBase, resultNotImage);
    }

    /** Same knobs with truncated JSON on success. */
    public Behaviour withMalformedBody(boolean v) {
        return new Behaviour(latency, failStatus, failTimes, errorRate, seed, retryAfterSeconds, v,
                wrongContentType, emptyData, slowStreamBytesPerSecond, imageBytes, hang, contentPolicy,
                dashscopeQueryQps, taskFailCode, resultUrlBase, resultNotImage);
    }

    /** Same knobs with an HTML page on success. */
    public Behaviour withWrongContentType(boolean v) {
        return new Behaviour(latency, failStatus, failTimes, errorRate, seed, retryAfterSeconds, malformedBody,
                v, emptyData, slowStreamBytesPerSecond, imageBytes, hang, contentPolicy,
                dashscopeQueryQps, taskFailCode, resultUrlBase, resultNotImage);
    }

    /** Same knobs with empty result lists on success. */
    public Behaviour withEmptyData(boolean v) {
        return new Behaviour(latency, failStatus, failTimes, errorRate, seed, retryAfterSeconds, malformedBody,
                wrongContentType, v, slowStreamBytesPerSecond, imageBytes, hang, contentPolicy,
                dashscopeQueryQps, taskFailCode, resultUrlBase, resultNotImage);
    }

    /** Same knobs, trickling response bodies at {@code v} bytes per second. */
    public Behaviour withSlowStreamBytesPerSecond(long v) {
        return new Behaviour(latency, failStatus, failTimes, errorRate, seed, retryAfterSeconds, malformedBody,
                wrongContentType, emptyData, v, imageBytes, hang, contentPolicy, dashscopeQueryQps, taskFailCode, resultUrlBase, resultNotImage);
    }

    /** Same knobs with PNGs padded to about {@code v} bytes. */
    public Behaviour withImageBytes(int v) {
        return new Behaviour(latency, failStatus, failTimes, errorRate, seed, retryAfterSeconds, malformedBody,
                wrongContentType, emptyData, slowStreamBytesPerSecond, v, hang, contentPolicy,
                dashscopeQueryQps, taskFailCode, resultUrlBase, resultNotImage);
    }

    /** Same knobs, never answering generation requests. */
    public Behaviour withHang(boolean v) {
        return new Behaviour(latency, failStatus, failTimes, errorRate, seed, retryAfterSeconds, malformedBody,
                wrongContentType, emptyData, slowStreamBytesPerSecond, imageBytes, v, contentPolicy,
                dashscopeQueryQps, taskFailCode, resultUrlBase, resultNotImage);
    }

    /** Same knobs with content-policy rejections. */
    public Behaviour withContentPolicy(boolean v) {
        return new Behaviour(latency, failStatus, failTimes, errorRate, seed, retryAfterSeconds, malformedBody,
                wrongContentType, emptyData, slowStreamBytesPerSecond, imageBytes, hang, v,
                dashscopeQueryQps, taskFailCode, resultUrlBase, resultNotImage);
    }

    /** Same knobs with another DashScope task-query limit (0 = unlimited). */
    public Behaviour withDashscopeQueryQps(int v) {
        return new Behaviour(latency, failStatus, failTimes, errorRate, seed, retryAfterSeconds, malformedBody,
                wrongContentType, emptyData, slowStreamBytesPerSecond, imageBytes, hang, contentPolicy,
                v, taskFailCode, resultUrlBase, resultNotImage);
    }

    /** Same knobs, DashScope tasks ending FAILED with {@code code} (null = succeed). */
    public Behaviour withTaskFailCode(String code) {
        return new Behaviour(latency, failStatus, failTimes, errorRate, seed, retryAfterSeconds, malformedBody,
                wrongContentType, emptyData, slowStreamBytesPerSecond, imageBytes, hang, contentPolicy,
                dashscopeQueryQps, code, resultUrlBase, resultNotImage);
    }

    /** Same knobs, result URLs pointing at {@code origin} (null = this server): a relay answering somewhere else. */
    public Behaviour withResultUrlBase(String origin) {
        return new Behaviour(latency, failStatus, failTimes, errorRate, seed, retryAfterSeconds, malformedBody,
                wrongContentType, emptyData, slowStreamBytesPerSecond, imageBytes, hang, contentPolicy,
                dashscopeQueryQps, taskFailCode, origin, resultNotImage);
    }

    /** Same knobs, result URLs serving an HTML page instead of the image. */
    public Behaviour withResultNotImage(boolean v) {
        return new Behaviour(latency, failStatus, failTimes, errorRate, seed, retryAfterSeconds, malformedBody,
                wrongContentType, emptyData, slowStreamBytesPerSecond, imageBytes, hang, contentPolicy,
                dashscopeQueryQps, taskFailCode, resultUrlBase, v);
    }
}
