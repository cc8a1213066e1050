package io.imagegen.worker.upstream;

/**
 * Calls started per minute, as a token bucket holding one second's worth of calls (at least one). A call always gets
 * a reservation; the answer is how long it must wait for it, so waiters queue in arrival order. The rate may change
 * while in use ({@link #rate}); at rate 0 nothing is reserved. Thread-safe.
 */
final class TokenBucket {
  /** What {@link #reserve} answers at rate 0: ask again after this long. */
  static final long RETRY_MILLIS = 1000;
  private double perMilli;
  private double capacity;
  private double tokens;
  private long updatedAt;

  TokenBucket(int perMinute, long nowMillis) {
    this.updatedAt = nowMillis;
    rate(perMinute, nowMillis);
    this.tokens = capacity;
  }

  /** Changes the rate to {@code perMinute} from {@code nowMillis} on; tokens already earned are kept (capped). */
  synchronized void rate(int perMinute, long nowMillis) {
    refill(nowMillis);
    this.perMilli = perMinute / 60_000.0;
    this.capacity = perMinute == 0 ? 0 : Math.max(1, Math.ceil(perMinute / 60.0));
    this.tokens = Math.min(tokens, capacity);
  }

  /**
   * Takes a token; returns how many milliseconds from {@code nowMillis} the call must wait before starting. At rate 0
   * takes none and answers -{@link #RETRY_MILLIS}: the caller waits that long and asks again.
   */
  synchronized long reserve(long nowMillis) {
    if (perMilli == 0) {
      return -RETRY_MILLIS;
    }
    refill(nowMillis);
    tokens -= 1;
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perMilli);
  }

  private void refill(long nowMillis) {
    tokens = Math.min(capacity, tokens + Math.max(0, nowMillis - updatedAt) * perMilli);
    updatedAt = Math.max(updatedAt, nowMillis);
  }
}
