package io.imagegen.api.http;

import io.vertx.core.http.HttpServerRequest;
import java.util.function.LongSupplier;

/**
 * Slows key guessing (docs/operations.md, Security): each client address may present {@code authFailures} wrong or
 * missing keys per window; beyond that every authenticated request from it, right key or wrong, is answered 429
 * until the window refills, so a guesser cannot tell a hit from a miss while throttled.
 */
final class FailedAuthThrottle {
  private final RateLimiter failures;
  private final int trustedProxyHops;

  FailedAuthThrottle(EdgeLimits limits, LongSupplier nanoClock) {
    this.failures = new RateLimiter(limits.authFailures() / (limits.authFailureWindow().toMillis() / 1000.0),
        limits.authFailures(), nanoClock, "Too many failed authentication attempts from this address");
    this.trustedProxyHops = limits.trustedProxyHops();
  }

  /** Throws {@code RateLimitedException} when {@code request}'s address has used up its failures. */
  void check(HttpServerRequest request) {
    failures.check(clientAddress(request));
  }

  /** Counts a wrong or missing key against {@code request}'s address. */
  void failed(HttpServerRequest request) {
    failures.acquire(clientAddress(request));
  }

  /** Forgets addresses whose failures have all expired. */
  void forgetExpired() {
    failures.forgetFull();
  }

  /**
   * The TCP peer, or with {@code n} trusted proxies the n-th {@code X-Forwarded-For} entry from the right: the one
   * our outermost proxy appended. Entries further left are the client's own claims and could be anything.
   */
  private String clientAddress(HttpServerRequest request) {
    String forwarded = trustedProxyHops == 0 ? null : request.getHeader("X-Forwarded-For");
    if (forwarded != null) {
      String[] hops = forwarded.split(",");
      return hops[Math.max(0, hops.length - trustedProxyHops)].trim();
    }
    return request.remoteAddress().host();
  }
}
