package io.imagegen.common.errors;

/** An upstream model call failed; the provider adapter decides whether it is worth retrying. */
public final class UpstreamException extends ImageGenException {
  private final boolean retryable;

  public UpstreamException(String code, String message, boolean retryable, Throwable cause) {
    super(code, message, null, cause);
    this.retryable = retryable;
  }

  @Override
  public boolean retryable() {
    return retryable;
  }
}
