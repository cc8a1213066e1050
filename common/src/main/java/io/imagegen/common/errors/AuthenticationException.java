package io.imagegen.common.errors;

/** The request carries no valid API key. */
public final class AuthenticationException extends ImageGenException {
  public AuthenticationException(String message) {
    super("invalid_api_key", message, null, null);
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
