package io.imagegen.api.http;

import io.imagegen.common.errors.RateLimitedException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets per key (an API key, or a client address for failed authentication): {@code perSecond} tokens on
 * average, bursts up to {@code burst}. A request takes as many tokens as it costs (docs/operations.md, Security).
 * Per API instance, so the effective limit scales with the number of instances behind the load balancer.
 */
final class RateLimiter {
  private final double perSecond;
  private final double burst;
  private final LongSupplier nanoClock;
  private final String refusal;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    private double tokens;
    private long refilledAt;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.refilledAt = now;
    }

    void refill(long now, double perSecond, double burst) {
      tokens = Math.min(burst, tokens + (now - refilledAt) / 1e9 * perSecond);
      refilledAt = now;
    }
  }

  /** @param refusal the start of the message of a refusal, e.g. "Rate limit exceeded for this key" */
  RateLimiter(double perSecond, int burst, LongSupplier nanoClock, String refusal) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.nanoClock = nanoClock;
    this.refusal = refusal;
  }

  /** Takes one token for {@code key}, or throws {@link RateLimitedException} saying when one will be available. */
  void acquire(String key) {
    acquire(key, 1);
  }

  /**
   * Takes {@code cost} tokens (at most the burst, so every request can pass eventually) for {@code key}, or throws
   * {@link RateLimitedException} saying when they will be available and takes none.
   */
  void acquire(String key, int cost) {
    take(key, Math.min(burst, cost), true);
  }

  /** Throws like {@link #acquire(String)} when {@code key} has no token left, but takes none. */
  void check(String key) {
    take(key, 1, false);
  }

  /** Drops buckets that have refilled completely: they behave exactly like a missing one, and addresses are many. */
  void forgetFull() {
    long now = nanoClock.getAsLong();
    buckets.values().removeIf(bucket -> {
      synchronized (bucket) {
        bucket.refill(now, perSecond, burst);
        return bucket.tokens >= burst;
      }
    });
  }

  private void take(String key, double cost, boolean consume) {
    long now = nanoClock.getAsLong();
    Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
    synchronized (bucket) {
      bucket.refill(now, perSecond, burst);
      if (bucket.tokens >= cost) {
        if (consume) {
          bucket.tokens -= cost;
        }
        return;
      }
      long waitMillis = (long) Math.ceil((cost - bucket.tokens) / perSecond * 1000);
      throw new RateLimitedException(refusal + ": at most " + perSecond + " per second (bursts of " + (int) burst
          + ")" + (cost > 1 ? "; this request costs " + (int) cost : "") + ".", Duration.ofMillis(waitMillis));
    }
  }
}
