package io.imagegen.common.errors;

/** The request carries no valid API key. */
public final class AuthenticationException extends ImageGenException {
  public AuthenticationException(String message) {
    super(ErrorCode.INVALID_API_KEY, message, null, null);
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
