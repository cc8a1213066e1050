package io.imagegen.common.queue;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskStatus;

/**
 * A task changed state, announced after the change is durable. From schema version 2 the event carries the task as
 * written and its {@link Task#revision()}, so listeners can update a view without re-reading the task store; the
 * store stays the source of truth, so a lost, late or duplicated event costs latency, never correctness.
 *
 * @param callback whether the task has a callback URL, so that webhook delivery reads only the records it needs;
 *     {@code null} (an event from an older producer) means unknown
 * @param revision the snapshot's revision; {@code null} in events from older producers
 * @param task the task as written; {@code null} in events from older producers, which listeners treat as a
 *     wake-up call to re-read the store
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskEvent(
    @JsonProperty("v") int schemaVersion,
    @JsonProperty("task_id") String taskId,
    @JsonProperty("status") TaskStatus status,
    @JsonProperty("at_ms") long atMillis,
    @JsonProperty("callback") Boolean callback,
    @JsonProperty("revision") Long revision,
    @JsonProperty("task") Task task) {

  /** The event announcing {@code task} as it was just written. */
  public static TaskEvent of(Task task, long atMillis) {
    return new TaskEvent(2, task.id(), task.status(), atMillis, task.callbackUrl() != null, task.revision(), task);
  }

  /** Whether this event may concern a webhook: a terminal status of a task that has (or may have) a callback. */
  public boolean mayNeedCallback() {
    return status != null && status.isTerminal() && !Boolean.FALSE.equals(callback);
  }
}
