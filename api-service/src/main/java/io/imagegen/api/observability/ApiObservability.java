package io.imagegen.api.observability;

import io.imagegen.common.observability.Readiness;
import io.imagegen.common.observability.TaskContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.semconv.HttpAttributes;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The API's metrics, request spans and health endpoints (docs/operations.md): every request is counted and timed by
 * its route template (never its raw path, which would make a series per task), runs in a server span whose trace the
 * task's job carries on, and has a {@link TaskContext} that task handlers fill in. {@code /metrics} is served on a
 * port of its own.
 */
public final class ApiObservability {
  /** Set by the error renderer: the error code of a refused request, the reason of a rejection. */
  public static final String ERROR_CODE = "imagegen.error_code";
  private static final String MODEL = "imagegen.model";
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  /** Statuses that mean "not now" rather than "not like this": shed load, limits, an unavailable queue. */
  private static final Set<Integer> REJECTIONS = Set.of(413, 429, 503);
  private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
      Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120)};
  private static final TextMapGetter<MultiMap> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(MultiMap headers) {
      return headers.names();
    }

    @Override
    public String get(MultiMap headers, String key) {
      return headers == null ? null : headers.get(key);
    }
  };

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Tracer tracer;
  private final Readiness readiness;
  private final Set<String> models;
  private final AtomicInteger longPolls = new AtomicInteger();
  private final AtomicInteger streams = new AtomicInteger();
  private HttpServer server;

  /** {@code models} are the catalog's ids (the only values the {@code model} label takes besides "unknown"). */
  public ApiObservability(Tracer tracer, Readiness readiness, Set<String> models, LongSupplier queueDepth) {
    this.tracer = tracer;
    this.readiness = readiness;
    this.models = Set.copyOf(models);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Gauge.builder("imagegen.api.open.waits", longPolls, AtomicInteger::get).tag("kind", "long_poll")
        .description("Long polls (?wait=) being held open").register(registry);
    Gauge.builder("imagegen.api.open.waits", streams, AtomicInteger::get).tag("kind", "stream")
        .description("Event streams (SSE) being held open").register(registry);
    Gauge.builder("imagegen.api.queue.depth", queueDepth::getAsLong)
        .description("Jobs waiting for a worker, as last measured").register(registry);
    // Present from the start, so that a rate over it is defined before the first timeout.
    Counter.builder("imagegen.api.sync.wait.timeouts").description("Synchronous submits answered 202 after the wait")
        .register(registry);
  }

  /** The registry {@code /metrics} serves, for meters owned by other features (usage: docs/operations.md#metrics). */
  public MeterRegistry registry() {
    return registry;
  }

  /** Must be the router's first route: observes every request, then adds {@code /livez} and {@code /readyz}. */
  public void install(Router router) {
    router.route().handler(this::observe);
    router.get("/livez").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
        .end("{\"status\":\"UP\"}"));
    router.get("/readyz").handler(ctx -> readiness.check().onComplete(ready -> {
      boolean up = ready.succeeded() && ready.result();
      ctx.response().setStatusCode(up ? 200 : 503).putHeader("Content-Type", "application/json")
          .end(up ? "{\"status\":\"UP\"}" : readiness.draining() ? "{\"status\":\"DRAINING\"}" : "{\"status\":\"DOWN\"}");
    }));
  }

  /** A submit names {@code model}: it labels the submit's metrics (if the catalog has it) and its log lines. */
  public void submitting(RoutingContext ctx, Object model) {
    String known = model instanceof String id && models.contains(id) ? id : "unknown";
    ctx.put(MODEL, known);
    TaskContext.current().ifPresent(task -> task.with(TaskContext.MODEL, known).attach());
  }

  /** A long poll ({@code long_poll}) or event stream ({@code stream}) is held open until the response ends. */
  public void holding(RoutingContext ctx, String kind) {
    AtomicInteger open = "stream".equals(kind) ? streams : longPolls;
    open.incrementAndGet();
    ctx.addEndHandler(ignored -> open.decrementAndGet());
  }

  /** Serves {@code GET /metrics} on {@code host:port} ({@code 0}: any free port). */
  public Future<Void> listen(Vertx vertx, String host, int port) {
    return vertx.createHttpServer().requestHandler(request -> {
      if (!"/metrics".equals(request.path())) {
        request.response().setStatusCode(404).end();
      } else {
        request.response().putHeader("Content-Type", PROMETHEUS_TEXT).end(registry.scrape());
      }
    }).listen(port, host).onSuccess(listening -> server = listening).mapEmpty();
  }

  /** The metrics port actually bound; only after {@link #listen} succeeded. */
  public int port() {
    return server.actualPort();
  }

  /** Stops serving metrics and releases the JVM listeners. */
  public Future<Void> close() {
    gc.close();
    registry.close();
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void observe(RoutingContext ctx) {
    long started = System.nanoTime();
    String method = ctx.request().method().name();
    Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), ctx.request().headers(), HEADERS);
    Span span = tracer.spanBuilder(method).setSpanKind(SpanKind.SERVER).setParent(parent)
        .setAttribute(HttpAttributes.HTTP_REQUEST_METHOD, method).startSpan();
    TaskContext.of(tracer).withTrace(parent.with(span)).attach();
    ctx.addEndHandler(ignored -> {
      String route = route(ctx);
      int status = ctx.response().getStatusCode();
      Counter.builder("imagegen.api.requests").description("HTTP requests answered")
          .tag("route", route).tag("method", method).tag("status", Integer.toString(status))
          .register(registry).increment();
      Timer.builder("imagegen.api.request").description("Time to answer an HTTP request")
          .serviceLevelObjectives(BUCKETS).tag("route", route).tag("method", method)
          .register(registry).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      String code = ctx.get(ERROR_CODE);
      if (code != null && REJECTIONS.contains(status)) {
        Counter.builder("imagegen.api.rejections").description("Requests refused for load or limits, by reason")
            .tag("reason", code).register(registry).increment();
      }
      String model = ctx.get(MODEL);
      if (model != null) {
        Counter.builder("imagegen.api.submits").description("Submitted generations by model and outcome")
            .tag("model", model).tag("outcome", outcome(status)).register(registry).increment();
        if (status == 202) {
          registry.counter("imagegen.api.sync.wait.timeouts").increment();
        }
      }
      span.updateName(method + " " + route);
      span.setAttribute(HttpAttributes.HTTP_ROUTE, route);
      span.setAttribute(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, (long) status);
      if (status >= 500) {
        span.setStatus(StatusCode.ERROR);
      }
      span.end();
    });
    ctx.next();
  }

  /** The template of the route that answered; {@code unmatched} when none did (a 404 for an unknown path). */
  private static String route(RoutingContext ctx) {
    Route route = ctx.currentRoute();
    return route == null || route.getPath() == null ? "unmatched" : route.getPath();
  }

  private static String outcome(int status) {
    if (status / 100 == 2) {
      return "accepted";
    }
    if (REJECTIONS.contains(status)) {
      return "rejected";
    }
    return status / 100 == 4 ? "invalid" : "failed";
  }
}
