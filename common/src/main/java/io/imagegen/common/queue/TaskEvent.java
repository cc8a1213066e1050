package io.imagegen.common.queue;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskStatus;

/**
 * A task changed state. Only a wake-up call: listeners re-read the task record, which stays the source of truth,
 * so a lost or duplicated event costs latency, never correctness.
 *
 * @param callback whether the task has a callback URL, so that webhook delivery reads only the records it needs;
 *     {@code null} (an event from an older producer) means unknown
 */
public record TaskEvent(
    @JsonProperty("v") int schemaVersion,
    @JsonProperty("task_id") String taskId,
    @JsonProperty("status") TaskStatus status,
    @JsonProperty("at_ms") long atMillis,
    @JsonProperty("callback") Boolean callback) {

  /** The event announcing {@code task}'s current status. */
  public static TaskEvent of(Task task, long atMillis) {
    return new TaskEvent(1, task.id(), task.status(), atMillis, task.callbackUrl() != null);
  }

  /** Whether this event may concern a webhook: a terminal status of a task that has (or may have) a callback. */
  public boolean mayNeedCallback() {
    return status != null && status.isTerminal() && !Boolean.FALSE.equals(callback);
  }
}
