package io.imagegen.common.errors;

/** A conditional write lost a race, or the request collides with one still being processed. */
public final class ConflictException extends ImageGenException {
  private final boolean retryable;

  /** A permanent conflict: repeating the same request meets the same state. */
  public ConflictException(String code, String message) {
    this(code, message, false);
  }

  /** A conflict that {@code retryable} says may clear by itself (another request still in progress). */
  public ConflictException(String code, String message, boolean retryable) {
    super(code, message, null, null);
    this.retryable = retryable;
  }

  @Override
  public boolean retryable() {
    return retryable;
  }
}
