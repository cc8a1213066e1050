package io.imagegen.api.http;

import io.imagegen.common.config.Env;
import java.time.Duration;

/**
 * What one client may hold of the HTTP edge (docs/operations.md, Security): how long a connection may take to send
 * its request headers and body, how long it may sit between requests, how many connections the instance accepts,
 * and how many wrong API keys one client address may try per window.
 *
 * @param headerTimeout a new connection's first request must have sent all its headers within this
 * @param idleTimeout a kept-alive connection's next request must have sent all its headers within this of the
 *     previous response
 * @param bodyTimeout a request's body must have arrived completely within this of its headers
 * @param maxConnections connections beyond this many are closed as soon as they are accepted
 * @param authFailures wrong or missing keys one client address may present per {@code authFailureWindow}
 * @param authFailureWindow the window over which {@code authFailures} refill
 * @param trustedProxyHops how many proxies in front of the API append to {@code X-Forwarded-For}; 0 = the TCP peer
 *     is the client
 */
public record EdgeLimits(Duration headerTimeout, Duration idleTimeout, Duration bodyTimeout, int maxConnections,
    int authFailures, Duration authFailureWindow, int trustedProxyHops) {

  /** Reads the {@code IMAGEGEN_HTTP_*} and {@code IMAGEGEN_AUTH_FAILURE_*} variables; problems go to {@code env}. */
  public static EdgeLimits from(Env env) {
    // Long enough for a slow mobile link to send a few KiB of headers, short enough that trickled headers let go.
    Duration header = env.duration("IMAGEGEN_HTTP_HEADER_TIMEOUT", Duration.ofSeconds(10));
    // Longer than the 60 s idle timeout of common load balancers, so they, not we, close a pooled connection.
    Duration idle = env.duration("IMAGEGEN_HTTP_IDLE_TIMEOUT", Duration.ofSeconds(75));
    // A 20 MiB body (IMAGEGEN_MAX_BODY_BYTES) needs about 3 Mbit/s to arrive within a minute.
    Duration body = env.duration("IMAGEGEN_HTTP_BODY_TIMEOUT", Duration.ofSeconds(60));
    int connections = env.integer("IMAGEGEN_HTTP_MAX_CONNECTIONS", 1000, 1, 1_000_000);
    int failures = env.integer("IMAGEGEN_AUTH_FAILURE_LIMIT", 20, 1, 1_000_000);
    Duration window = env.duration("IMAGEGEN_AUTH_FAILURE_WINDOW", Duration.ofMinutes(1));
    int hops = env.integer("IMAGEGEN_HTTP_TRUSTED_PROXY_HOPS", 0, 0, 10);
    return new EdgeLimits(header, idle, body, connections, failures, window, hops);
  }
}
