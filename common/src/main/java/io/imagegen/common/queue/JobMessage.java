package io.imagegen.common.queue;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.imagegen.common.storage.Versioned;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskStatus;

/**
 * The Kafka record that asks a worker to run one task. It may carry the task record as the API wrote it and that
 * write's version ({@code task}, {@code task_version}): a worker uses the copy only through a write conditional on
 * that version, so a stale or duplicated message can never carry outdated parameters
 * (docs/performance.md#storage-calls). Messages without them (older producers, replays) make the worker read the record.
 */
public record JobMessage(
    @JsonProperty("v") int schemaVersion,
    @JsonProperty("task_id") String taskId,
    @JsonProperty("model") String model,
    @JsonProperty("enqueued_at_ms") long enqueuedAtMillis,
    @JsonProperty("task") Task task,
    @JsonProperty("task_version") String taskVersion) {

  public static final int SCHEMA_VERSION = 1;

  public static JobMessage of(String taskId, String model, long enqueuedAtMillis) {
    return new JobMessage(SCHEMA_VERSION, taskId, model, enqueuedAtMillis, null, null);
  }

  /** A job carrying {@code queued}, the record just created, so that the worker need not read it back. */
  public static JobMessage carrying(Versioned<Task> queued, long enqueuedAtMillis) {
    Task task = queued.value();
    return new JobMessage(SCHEMA_VERSION, task.id(), task.model(), enqueuedAtMillis, task, queued.version());
  }

  /** The same job without the record: the worker reads it instead. */
  public JobMessage withoutTask() {
    return new JobMessage(schemaVersion, taskId, model, enqueuedAtMillis, null, null);
  }

  /** The record as enqueued with its version, if this message carries a usable one for its task; else {@code null}. */
  public Versioned<Task> enqueued() {
    return task != null && taskVersion != null && task.id().equals(taskId) && task.status() == TaskStatus.QUEUED
        ? new Versioned<>(task, taskVersion) : null;
  }
}
