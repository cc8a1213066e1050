package io.imagegen.worker.monitoring;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The worker's own small HTTP endpoint for operators: {@code GET /metrics} (Prometheus text format),
 * {@code GET /health} (200 while the worker consumes jobs, 503 otherwise), {@code GET /livez} (200 while the process
 * runs) and {@code GET /readyz} (docs/operations.md#health). Nothing here touches jobs. The registry
 * exists from construction, so components register their meters before the endpoint listens.
 */
public final class MonitoringServer {
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  /** Holds JMX notification listeners until closed. */
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private HttpServer server;

  /** A registry with the JVM's own meters bound (memory, GC, threads, CPU, uptime). */
  public MonitoringServer() {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** Where the worker's components register their meters. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Listens on {@code host:port} ({@code 0}: any free port); {@code healthy} answers {@code /health}, {@code ready}
   * (never failing) {@code /readyz}.
   */
  public Future<Void> listen(Vertx vertx, String host, int port, BooleanSupplier healthy,
      Supplier<Future<Boolean>> ready) {
    return vertx.createHttpServer()
        .requestHandler(request -> handle(request, healthy, ready))
        .listen(port, host)
        .onSuccess(listening -> server = listening)
        .mapEmpty();
  }

  /** The port it listens on; only after {@link #listen} succeeded. */
  public int port() {
    return server.actualPort();
  }

  /** Stops listening and releases the JVM listeners. */
  public Future<Void> close() {
    gc.close();
    registry.close();
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void handle(HttpServerRequest request, BooleanSupplier healthy, Supplier<Future<Boolean>> ready) {
    if (request.method() != HttpMethod.GET) {
      request.response().setStatusCode(405).putHeader("Allow", "GET").end();
      return;
    }
    switch (request.path()) {
      case "/metrics" -> request.response().putHeader("Content-Type", PROMETHEUS_TEXT).end(registry.scrape());
      case "/health" -> {
        boolean up = healthy.getAsBoolean();
        request.response().setStatusCode(up ? 200 : 503).putHeader("Content-Type", "application/json")
            .end(up ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}");
      }
      case "/livez" -> request.response().putHeader("Content-Type", "application/json").end("{\"status\":\"UP\"}");
      case "/readyz" -> ready.get().onComplete(answer -> {
        boolean up = answer.succeeded() && answer.result();
        request.response().setStatusCode(up ? 200 : 503).putHeader("Content-Type", "application/json")
            .end(up ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}");
      });
      default -> request.response().setStatusCode(404).end();
    }
  }
}
