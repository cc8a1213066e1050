package io.imagegen.common.errors;

import java.time.Duration;

/** An upstream model call failed; the provider adapter decides whether it is worth retrying. */
public final class UpstreamException extends ImageGenException {
  private final boolean retryable;
  private final Duration retryAfter;

  /** A catalogued failure, retryable as its code says. */
  public UpstreamException(ErrorCode code, String message, Throwable cause) {
    this(code, message, null, cause);
  }

  /** @param retryAfter the vendor's own {@code Retry-After}, or {@code null} */
  public UpstreamException(ErrorCode code, String message, Duration retryAfter, Throwable cause) {
    super(code, message, null, cause);
    this.retryable = code.retryable();
    this.retryAfter = retryAfter;
  }

  /** A failure of {@code code} that the cause makes final although the code usually is not (a bad certificate). */
  public static UpstreamException permanent(ErrorCode code, String message, Throwable cause) {
    return new UpstreamException(code.code(), message, cause);
  }

  /**
   * A final failure under a code recorded elsewhere: a vendor's own (DashScope's {@code InvalidParameter}) or that of
   * a failed task.
   */
  public static UpstreamException finalFailure(String code, String message) {
    return new UpstreamException(code, message, null);
  }

  private UpstreamException(String code, String message, Throwable cause) {
    super(code, message, null, cause);
    this.retryable = false;
    this.retryAfter = null;
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
