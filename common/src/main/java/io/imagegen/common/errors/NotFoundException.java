package io.imagegen.common.errors;

/** The named resource does not exist (or is not visible to the caller, which must look the same). */
public final class NotFoundException extends ImageGenException {
  public NotFoundException(ErrorCode code, String message, String param) {
    super(code, message, param, null);
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
