package io.imagegen.worker.tasks;

import io.imagegen.common.config.Env;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try again, as data: exponential backoff from {@code initialBackoff}, capped at {@code maxBackoff}, with
 * "equal jitter" (half fixed, half random) so that a burst of failures does not retry in lockstep.
 *
 * @param maxAttempts upstream attempts per task, the first included
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
  /**
   * Our own storage being unavailable: never a task's or a receiver's fault, so retried for as long as it lasts (the
   * job's offset stays uncommitted meanwhile).
   */
  public static final RetryPolicy OWN_STORAGE =
      new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(200), Duration.ofSeconds(10));

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("backoff must satisfy 0 <= initialBackoff <= maxBackoff");
    }
  }

  /**
   * Reads {@code <prefix>_MAX_ATTEMPTS}, {@code <prefix>_INITIAL_BACKOFF} and {@code <prefix>_MAX_BACKOFF};
   * problems are recorded on {@code env}.
   */
  public static RetryPolicy from(Env env, String prefix, RetryPolicy defaults) {
    int maxAttempts = env.integer(prefix + "_MAX_ATTEMPTS", defaults.maxAttempts(), 1, 100);
    Duration initialBackoff = env.duration(prefix + "_INITIAL_BACKOFF", defaults.initialBackoff());
    Duration maxBackoff = env.duration(prefix + "_MAX_BACKOFF", defaults.maxBackoff());
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      env.problem(prefix + "_MAX_BACKOFF must not be shorter than " + prefix + "_INITIAL_BACKOFF");
      maxBackoff = initialBackoff;
    }
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff);
  }

  /** The same backoff with a different attempt budget. */
  public RetryPolicy withMaxAttempts(int attempts) {
    return new RetryPolicy(attempts, initialBackoff, maxBackoff);
  }

  /** Whether another attempt is allowed after {@code attemptsMade} attempts. */
  public boolean allowsAnother(int attemptsMade) {
    return attemptsMade < maxAttempts;
  }

  /** The pause before attempt {@code attemptsMade + 1}. */
  public Duration delayAfter(int attemptsMade) {
    long base = initialBackoff.toMillis() << Math.min(Math.max(attemptsMade - 1, 0), 20);
    long capped = Math.min(Math.max(base, 0), maxBackoff.toMillis());
    long half = capped / 2;
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
  }
}
