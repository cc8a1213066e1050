package io.imagegen.common.errors;

/** The caller is authenticated but not allowed to do this (e.g. its key is limited to other models). */
public final class PermissionException extends ImageGenException {
  public PermissionException(ErrorCode code, String message, String param) {
    super(code, message, param, null);
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
