package io.imagegen.worker.tasks;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.ImageGenException;
import java.io.UncheckedIOException;

/** A job that can never run as it is (its task record is missing or unreadable): not retryable, so dead-lettered. */
public final class UnusableJobException extends ImageGenException {
  UnusableJobException(ErrorCode code, String message, Throwable cause) {
    super(code, message, null, cause);
  }

  /** The record of {@code taskId} exists but cannot be parsed: retrying would read the same bytes. */
  public static UnusableJobException unreadableTask(String taskId, UncheckedIOException cause) {
    return new UnusableJobException(ErrorCode.TASK_UNREADABLE, "The record of task " + taskId + " cannot be read: "
        + cause.getMessage(), cause);
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
