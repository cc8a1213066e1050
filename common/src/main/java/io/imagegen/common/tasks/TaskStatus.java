package io.imagegen.common.tasks;

import java.util.EnumSet;
import java.util.Set;

/** Life cycle of an image task: QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED. Never backwards. */
public enum TaskStatus {
  QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  /** Whether a task in this state may be rewritten into {@code next}; RUNNING → RUNNING records a new attempt. */
  public boolean canMoveTo(TaskStatus next) {
    return allowedNext().contains(next);
  }

  private Set<TaskStatus> allowedNext() {
    return switch (this) {
      case QUEUED -> EnumSet.of(RUNNING, FAILED, CANCELLED);
      case RUNNING -> EnumSet.of(RUNNING, SUCCEEDED, FAILED, CANCELLED);
      case SUCCEEDED, FAILED, CANCELLED -> EnumSet.noneOf(TaskStatus.class);
    };
  }
}
