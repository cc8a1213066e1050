package io.imagegen.common.observability;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A service's OpenTelemetry: the SDK configured by the standard {@code OTEL_*} variables when traces are asked for
 * ({@code OTEL_TRACES_EXPORTER} other than {@code none}, or an OTLP endpoint), a no-op otherwise
 * (docs/operations.md#traces). Metrics stay on Prometheus and logs on stdout, so only traces are exported.
 */
public record Telemetry(OpenTelemetry openTelemetry, Runnable shutdown) implements AutoCloseable {
  /** The instrumentation scope name of our spans. */
  public static final String SCOPE = "io.imagegen";

  /** From {@code env}; {@code serviceName} unless {@code OTEL_SERVICE_NAME} says otherwise. */
  public static Telemetry from(Map<String, String> env, String serviceName) {
    String exporter = env.get("OTEL_TRACES_EXPORTER");
    boolean wanted = exporter != null ? !"none".equalsIgnoreCase(exporter.trim())
        : env.get("OTEL_EXPORTER_OTLP_ENDPOINT") != null || env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != null;
    if (!wanted) {
      return new Telemetry(OpenTelemetry.noop(), () -> { });
    }
    Map<String, String> properties = new HashMap<>();
    properties.put("otel.service.name", serviceName);
    properties.put("otel.metrics.exporter", "none");
    properties.put("otel.logs.exporter", "none");
    env.forEach((name, value) -> {
      if (name.startsWith("OTEL_")) {
        properties.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
      }
    });
    OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> properties)
        .disableShutdownHook()
        .build()
        .getOpenTelemetrySdk();
    return new Telemetry(sdk, () -> sdk.shutdown().join(10, TimeUnit.SECONDS));
  }

  /** An instance the caller owns (tests): closing this does not shut it down. */
  public static Telemetry of(OpenTelemetry openTelemetry) {
    return new Telemetry(openTelemetry, () -> { });
  }

  public Tracer tracer() {
    return openTelemetry.getTracer(SCOPE);
  }

  /** Flushes and stops exporting. */
  @Override
  public void close() {
    shutdown.run();
  }
}
