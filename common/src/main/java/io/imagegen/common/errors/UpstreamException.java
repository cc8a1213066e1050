package io.imagegen.common.errors;

import java.time.Duration;

/** An upstream model call failed; the provider adapter decides whether it is worth retrying. */
public final class UpstreamException extends ImageGenException {
  private final boolean retryable;
  private final Duration retryAfter;

  public UpstreamException(String code, String message, boolean retryable, Throwable cause) {
    this(code, message, retryable, null, cause);
  }

  /** @param retryAfter the vendor's own {@code Retry-After}, or {@code null} */
  public UpstreamException(String code, String message, boolean retryable, Duration retryAfter, Throwable cause) {
    super(code, message, null, cause);
    this.retryable = retryable;
    this.retryAfter = retryAfter;
  }

  @Override
  public boolean retryable() {
    return retryable;
  }

  /** How long the vendor asked us to wait before trying again, or {@code null}. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
