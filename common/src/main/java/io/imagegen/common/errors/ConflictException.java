package io.imagegen.common.errors;

/** A conditional write lost a race, or the request collides with one still being processed. */
public final class ConflictException extends ImageGenException {
  private final boolean retryable;

  /** A conflict whose code says whether it may clear by itself (another request still in progress). */
  public ConflictException(ErrorCode code, String message) {
    super(code, message, null, null);
    this.retryable = code.retryable();
  }

  @Override
  public boolean retryable() {
    return retryable;
  }
}
