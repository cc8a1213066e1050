package io.imagegen.common.models;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;

/**
 * How workers treat one upstream vendor across all its models (the catalog's {@code providers} object). Every group
 * is optional; {@link #DEFAULT} applies to a provider the catalog does not list.
 *
 * @param concurrency upstream calls one worker makes at once and starts per minute for all the provider's models
 *     together (0: no limit beyond the models' own)
 * @param maxAttempts upstream attempts per task, the first included; {@code null}: the worker's
 *     {@code IMAGEGEN_UPSTREAM_MAX_ATTEMPTS}
 * @param circuitBreaker when a worker stops calling the vendor for a while
 */
public record ProviderSpec(
    @JsonProperty("concurrency") ModelSpec.Concurrency concurrency,
    @JsonProperty("max_attempts") Integer maxAttempts,
    @JsonProperty("circuit_breaker") CircuitBreaker circuitBreaker) {

  public static final ProviderSpec DEFAULT = new ProviderSpec(null, null, null);

  public ProviderSpec {
    concurrency = concurrency == null ? new ModelSpec.Concurrency(0, 0) : concurrency;
    circuitBreaker = circuitBreaker == null ? new CircuitBreaker(null, null, null, null, null) : circuitBreaker;
  }

  /**
   * The breaker opens when, of the last {@code window} calls, at least {@code failureRatio} failed, or when
   * {@code consecutiveFailures} calls in a row failed (0: that rule is off). It stays open for {@code openFor}, then
   * lets {@code halfOpenProbes} calls through; it closes if they all succeed and opens again if one fails. Only
   * failures that say the vendor is unwell count (server errors, timeouts, unreachable), not refusals or 429s.
   */
  public record CircuitBreaker(
      @JsonProperty("window") Integer window,
      @JsonProperty("failure_ratio") Double failureRatio,
      @JsonProperty("consecutive_failures") Integer consecutiveFailures,
      @JsonProperty("open_for") Duration openFor,
      @JsonProperty("half_open_probes") Integer halfOpenProbes) {
    public CircuitBreaker {
      window = window == null ? 20 : window;
      // High on purpose: a vendor failing half its calls is still worth retrying; a dead one fails them all.
      failureRatio = failureRatio == null ? 0.9 : failureRatio;
      consecutiveFailures = consecutiveFailures == null ? 0 : consecutiveFailures;
      openFor = openFor == null ? Duration.ofSeconds(30) : openFor;
      halfOpenProbes = halfOpenProbes == null ? 1 : halfOpenProbes;
    }
  }
}
