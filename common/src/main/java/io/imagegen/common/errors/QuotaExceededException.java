package io.imagegen.common.errors;

/** The caller's budget has no room for what this request may cost (HTTP 402, {@code insufficient_quota}). */
public final class QuotaExceededException extends ImageGenException {
  public QuotaExceededException(String message) {
    super(ErrorCode.INSUFFICIENT_QUOTA, message, null, null);
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
