package io.imagegen.worker.providers.dashscope;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Token bucket for task queries holding one token, refilled every {@code 1/perSecond} s. One token rather than a
 * full second's worth: DashScope (like the fake) counts queries in a sliding second, and a bucket of
 * {@code perSecond} tokens would let up to twice the limit through in one such window.
 *
 * <p>Two steps, both answered with a wait to sleep on a timer (nobody spins): {@link #reserve()} queues the caller
 * for the next free token, so waiters are served in order and wake one at a time; {@link #claim()}, called right
 * before sending, checks the token against the real clock, because a timer that fired late would otherwise let its
 * query go out too close to the next one.
 */
final class QueryLimiter {
  private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** At rate 0 (this worker has no share right now) callers are told to ask again after this long. */
  private static final long RETRY_MILLIS = 1000;

  /** {@code System.nanoTime} in production: monotonic, so a wall-clock step cannot open or close the gap. */
  private final LongSupplier nanoTime;
  private long spacingNanos;
  /** {@code System.nanoTime()} at which the next reservation is due. */
  private long nextFree;
  /** {@code System.nanoTime()} of the last claimed token. */
  private long lastSent;

  /** A limiter at {@code perSecond} queries per second; 0 admits none until {@link #rate} raises it. */
  QueryLimiter(int perSecond) {
    this(perSecond, System::nanoTime);
  }

  /** A limiter reading the time from {@code nanoTime} (tests drive it). */
  QueryLimiter(int perSecond, LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    rate(perSecond);
  }

  /** Changes the rate (a rebalance moved this worker's share); reservations already handed out stand. */
  synchronized void rate(int perSecond) {
    if (perSecond < 0) {
      throw new IllegalArgumentException("queries per second must not be negative: " + perSecond);
    }
    long spacing = perSecond == 0 ? 0 : SECOND_NANOS / perSecond;
    if (spacingNanos == 0 && spacing > 0) {
      // Starting (or resuming after a zero share): the first query may go at once.
      long now = nanoTime.getAsLong();
      nextFree = now;
      lastSent = now - spacing;
    }
    spacingNanos = spacing;
  }

  /** Queues for the next token; returns how many milliseconds to wait before claiming it (0: claim now). */
  synchronized long reserve() {
    if (spacingNanos == 0) {
      return RETRY_MILLIS;
    }
    long now = nanoTime.getAsLong();
    // Compared by difference: nanoTime values may wrap.
    long slot = nextFree - now > 0 ? nextFree : now;
    nextFree = slot + spacingNanos;
    return millisUntil(slot, now);
  }

  /** Takes the token if a full spacing has passed since the last query was sent; else how many ms to wait. */
  synchronized long claim() {
    if (spacingNanos == 0) {
      return RETRY_MILLIS;
    }
    long now = nanoTime.getAsLong();
    long due = lastSent + spacingNanos;
    if (due - now > 0) {
      return millisUntil(due, now);
    }
    lastSent = now;
    if (now + spacingNanos - nextFree > 0) {
      nextFree = now + spacingNanos; // a late query pushes the queue back rather than crowding it
    }
    return 0;
  }

  /** Rounded up: waking a little late keeps the rate under the limit, waking early would not. */
  private static long millisUntil(long due, long now) {
    return Math.max(0, (due - now + 999_999) / 1_000_000);
  }
}
