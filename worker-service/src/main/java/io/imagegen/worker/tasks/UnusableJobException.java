package io.imagegen.worker.tasks;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.ImageGenException;

/** A job that can never run as it is (its task record is missing or unreadable): not retryable, so dead-lettered. */
final class UnusableJobException extends ImageGenException {
  UnusableJobException(ErrorCode code, String message, Throwable cause) {
    super(code, message, null, cause);
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
