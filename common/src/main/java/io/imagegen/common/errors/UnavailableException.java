package io.imagegen.common.errors;

/** A dependency we own (broker, object store) is not answering; retry later. */
public final class UnavailableException extends ImageGenException {
  public UnavailableException(ErrorCode code, String message, Throwable cause) {
    super(code, message, null, cause);
  }

  @Override
  public boolean retryable() {
    return true;
  }
}
