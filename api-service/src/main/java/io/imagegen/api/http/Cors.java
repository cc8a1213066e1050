package io.imagegen.api.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.List;
import java.util.Set;

/**
 * Cross-origin access for browser clients, off unless {@code IMAGEGEN_CORS_ORIGINS} names origins. Preflights are
 * answered before authentication (browsers send them without credentials); see docs/api.md "CORS".
 */
final class Cors {
  /** What browser clients send: the key, JSON or multipart bodies, retries and SSE resumption. */
  private static final Set<String> ALLOWED_HEADERS = Set.of("Authorization", "Content-Type", "Idempotency-Key",
      "X-Async", "Last-Event-ID", "Accept");
  /** What clients must read: retry advice, the key challenge and request correlation. */
  private static final Set<String> EXPOSED_HEADERS = Set.of("Retry-After", "X-Should-Retry", "WWW-Authenticate",
      "X-Request-Id", "Content-Length");
  /** Preflight answers are cached by browsers for this long. */
  private static final int MAX_AGE_SECONDS = 600;

  private Cors() {
  }

  /** The handler for {@code origins}, or {@code null} when CORS is off. */
  static CorsHandler handler(List<String> origins) {
    if (origins.isEmpty()) {
      return null;
    }
    CorsHandler cors = origins.contains("*") ? CorsHandler.create() : CorsHandler.create().addOrigins(origins);
    return cors
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE, HttpMethod.OPTIONS))
        .allowedHeaders(ALLOWED_HEADERS)
        .exposedHeaders(EXPOSED_HEADERS)
        .maxAgeSeconds(MAX_AGE_SECONDS);
  }
}
