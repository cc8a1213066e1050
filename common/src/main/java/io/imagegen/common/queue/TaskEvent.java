package io.imagegen.common.queue;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.imagegen.common.tasks.TaskStatus;

/**
 * A task changed state. Only a wake-up call: listeners re-read the task record, which stays the source of truth,
 * so a lost or duplicated event costs latency, never correctness.
 */
public record TaskEvent(
    @JsonProperty("v") int schemaVersion,
    @JsonProperty("task_id") String taskId,
    @JsonProperty("status") TaskStatus status,
    @JsonProperty("at_ms") long atMillis) {

  public static TaskEvent of(String taskId, TaskStatus status, long atMillis) {
    return new TaskEvent(1, taskId, status, atMillis);
  }
}
