package io.imagegen.worker.upstream;

/**
 * Calls started per minute, as a token bucket holding one second's worth of calls (at least one). A call always gets
 * a reservation; the answer is how long it must wait for it, so waiters queue in arrival order. Thread-safe.
 */
final class TokenBucket {
  private final double perMilli;
  private final double capacity;
  private double tokens;
  private long updatedAt;

  TokenBucket(int perMinute, long nowMillis) {
    this.perMilli = perMinute / 60_000.0;
    this.capacity = Math.max(1, Math.ceil(perMinute / 60.0));
    this.tokens = capacity;
    this.updatedAt = nowMillis;
  }

  /** Takes a token; returns how many milliseconds from {@code nowMillis} the call must wait before starting. */
  synchronized long reserve(long nowMillis) {
    tokens = Math.min(capacity, tokens + Math.max(0, nowMillis - updatedAt) * perMilli);
    updatedAt = Math.max(updatedAt, nowMillis);
    tokens -= 1;
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perMilli);
  }
}
