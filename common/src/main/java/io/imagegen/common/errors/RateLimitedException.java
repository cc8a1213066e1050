package io.imagegen.common.errors;

import java.time.Duration;

/** The caller is over its request rate; it may try again after {@link #retryAfter()}. */
public final class RateLimitedException extends ImageGenException {
  private final Duration retryAfter;

  public RateLimitedException(String message, Duration retryAfter) {
    super(ErrorCode.RATE_LIMIT_EXCEEDED, message, null, null);
    this.retryAfter = retryAfter;
  }

  public Duration retryAfter() {
    return retryAfter;
  }

  @Override
  public boolean retryable() {
    return true;
  }
}
