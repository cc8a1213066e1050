package io.imagegen.common.errors;

/** A conditional write lost a race: somebody else changed the record first. */
public final class ConflictException extends ImageGenException {
  public ConflictException(String code, String message) {
    super(code, message, null, null);
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
