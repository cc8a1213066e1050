package io.imagegen.common.errors;

/** The client sent something we will never accept; {@link #param()} names the field. */
public final class InvalidRequestException extends ImageGenException {
  public InvalidRequestException(ErrorCode code, String message, String param) {
    super(code, message, param, null);
  }

  /** The common case: a field with a bad value. */
  public static InvalidRequestException field(String param, String message) {
    return new InvalidRequestException(ErrorCode.INVALID_IMAGE_REQUEST, message, param);
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
