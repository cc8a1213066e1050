package io.imagegen.common.errors;

/**
 * Root of the project's failures. Carries a stable machine-readable {@code code}, the request field at fault (if
 * any) and whether trying again later may succeed. HTTP statuses are chosen only at the HTTP edge, from
 * {@link ErrorCode}.
 */
public abstract class ImageGenException extends RuntimeException {
  private final String code;
  private final String param;

  protected ImageGenException(String code, String message, String param, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.param = param;
  }

  protected ImageGenException(ErrorCode code, String message, String param, Throwable cause) {
    this(code.code(), message, param, cause);
  }

  /** Stable error code, e.g. {@code invalid_image_request}. */
  public String code() {
    return code;
  }

  /** The catalogued code, or empty for a vendor's own code passed through. */
  public java.util.Optional<ErrorCode> catalogued() {
    return ErrorCode.of(code);
  }

  /** The offending request field, or {@code null}. */
  public String param() {
    return param;
  }

  /** Whether the same operation may succeed if tried again later. */
  public abstract boolean retryable();
}
