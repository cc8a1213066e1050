package io.imagegen.common.tasks;

import io.imagegen.common.storage.Versioned;
import io.vertx.core.Future;

/** Durable task records with optimistic concurrency: every replace is conditional on the version read. */
public interface TaskStore {
  /** The task with its version, or a {@code null} result when there is none. */
  Future<Versioned<Task>> find(String id);

  /** Stores a new task; fails with {@code ConflictException} if the id already exists. */
  Future<Versioned<Task>> create(Task task);

  /**
   * Replaces {@code current} with {@code next} only if nobody wrote the task since {@code current} was read; fails
   * with {@code ConflictException} otherwise.
   */
  Future<Versioned<Task>> replace(Versioned<Task> current, Task next);

  /** Removes the task record; a missing record is not an error. */
  Future<Void> delete(String id);
}
