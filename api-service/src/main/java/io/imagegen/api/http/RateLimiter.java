package io.imagegen.api.http;

import io.imagegen.common.errors.RateLimitedException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets per API key: {@code perSecond} requests on average, bursts up to {@code burst}. Per API instance, so
 * the effective limit scales with the number of instances behind the load balancer.
 */
final class RateLimiter {
  private final double perSecond;
  private final double burst;
  private final LongSupplier nanoClock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    private double tokens;
    private long refilledAt;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.refilledAt = now;
    }
  }

  RateLimiter(double perSecond, int burst, LongSupplier nanoClock) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.nanoClock = nanoClock;
  }

  /** Takes one token for {@code key}, or throws {@link RateLimitedException} saying when one will be available. */
  void acquire(String key) {
    long now = nanoClock.getAsLong();
    Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
    synchronized (bucket) {
      bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.refilledAt) / 1e9 * perSecond);
      bucket.refilledAt = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return;
      }
      long waitMillis = (long) Math.ceil((1 - bucket.tokens) / perSecond * 1000);
      throw new RateLimitedException("Rate limit exceeded: at most " + perSecond + " requests per second"
          + " (bursts of " + (int) burst + ") for this key.", Duration.ofMillis(waitMillis));
    }
  }
}
