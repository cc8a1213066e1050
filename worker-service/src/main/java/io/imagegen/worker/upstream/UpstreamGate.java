package io.imagegen.worker.upstream;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.models.ModelSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Every upstream call goes through here: it waits (on a future, holding no thread) for a slot and a rate-limit turn
 * of its model and of its provider, then asks the provider's circuit breaker, then calls. The limits, from the catalog
 * ({@code concurrency} of the model and of the provider), hold for the whole deployment: this worker applies its
 * {@link ClusterShare} of them.
 */
public final class UpstreamGate {
  /** Image generations take seconds to minutes. */
  private static final Duration[] LATENCY_BUCKETS = {Duration.ofSeconds(1), Duration.ofSeconds(5),
      Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
      Duration.ofMinutes(5), Duration.ofMinutes(10)};

  private final Vertx vertx;
  private final ModelCatalog catalog;
  private final Clock clock;
  private final MeterRegistry metrics;
  private final ClusterShare share;
  private final Map<String, Limit> models = new ConcurrentHashMap<>();
  private final Map<String, Limit> providers = new ConcurrentHashMap<>();
  private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();

  public UpstreamGate(Vertx vertx, ModelCatalog catalog, Clock clock, MeterRegistry metrics, ClusterShare share) {
    this.vertx = vertx;
    this.catalog = catalog;
    this.clock = clock;
    this.metrics = metrics;
    this.share = share;
  }

  /**
   * Runs {@code call} for {@code model} once its limits allow, waiting until {@code waitUntil} at most; past it, fails
   * with a non-retryable {@code timeout} (the task's deadline). While the provider's breaker is open, fails at once
   * with a retryable {@code upstream_unavailable} whose {@code Retry-After} is when the breaker may admit calls again.
   */
  public <T> Future<T> call(ModelSpec model, Instant waitUntil, Supplier<Future<T>> call) {
    Limit modelLimit = models.computeIfAbsent(model.id(), id -> limit("model", id, model.concurrency()));
    Limit providerLimit = providers.computeIfAbsent(model.provider(),
        name -> limit("provider", name, catalog.provider(name).concurrency()));
    long until = waitUntil.toEpochMilli();
    // Narrow scope first: a model waiting for its own slot must not sit on one of the provider's meanwhile.
    return modelLimit.acquireSlot(until)
        .compose(modelSlot -> providerLimit.acquireSlot(until)
            .onFailure(err -> modelLimit.release())
            .compose(providerSlot -> modelLimit.awaitTurn(until)
                .compose(turn -> providerLimit.awaitTurn(until))
                .compose(turn -> guarded(model, call))
                .andThen(done -> {
                  providerLimit.release();
                  modelLimit.release();
                })))
        .recover(err -> Future.failedFuture(err instanceof TimeoutException
            ? new UpstreamException(ErrorCode.TIMEOUT,
                "The task reached its deadline while waiting for upstream capacity.", err)
            : err));
  }

  private Limit limit(String scope, String name, ModelSpec.Concurrency limits) {
    Limit limit = new Limit(vertx, clock, limits, share);
    Gauge.builder("imagegen.worker.upstream.waiting", limit, Limit::waiting)
        .description("Jobs waiting for an upstream slot of a model or provider")
        .tag("scope", scope).tag("name", name).register(metrics);
    return limit;
  }

  private <T> Future<T> guarded(ModelSpec model, Supplier<Future<T>> call) {
    String provider = model.provider();
    CircuitBreaker breaker = breaker(provider);
    CircuitBreaker.Ticket ticket = breaker.admit();
    if (ticket == null) {
      Counter.builder("imagegen.worker.circuit.breaker.rejections")
          .description("Upstream calls refused because the provider's breaker was open")
          .tag("provider", provider).register(metrics).increment();
      return Future.failedFuture(new UpstreamException(ErrorCode.UPSTREAM_CIRCUIT_OPEN, provider + " is failing; calls to it "
          + "are paused for a while (circuit breaker open).", breaker.retryAfter(), null));
    }
    long started = System.nanoTime();
    Future<T> result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result.andThen(outcome -> {
      boolean blamed = outcome.failed() && blamesVendor(outcome.cause());
      breaker.record(ticket, !blamed);
      Timer.builder("imagegen.worker.upstream.calls")
          .description("Upstream model calls: success, vendor_failure (counts against the breaker) or failure")
          .tag("provider", provider).tag("model", model.id())
          .tag("outcome", outcome.succeeded() ? "success" : blamed ? "vendor_failure" : "failure")
          .serviceLevelObjectives(LATENCY_BUCKETS)
          .register(metrics).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    });
  }

  private CircuitBreaker breaker(String provider) {
    return breakers.computeIfAbsent(provider, name -> {
      CircuitBreaker breaker = new CircuitBreaker(catalog.provider(name).circuitBreaker(), clock);
      Gauge.builder("imagegen.worker.circuit.breaker.state", breaker, b -> b.state().ordinal())
          .description("0 closed, 1 half-open, 2 open").tag("provider", name).register(metrics);
      return breaker;
    });
  }

  /** Server errors, timeouts and unreachable vendors count against a provider; refusals and 429s do not. */
  private static boolean blamesVendor(Throwable err) {
    return err instanceof UpstreamException upstream && upstream.retryable()
        && upstream.catalogued().orElse(null) != ErrorCode.UPSTREAM_RATE_LIMITED;
  }
}
