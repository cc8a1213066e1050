package io.imagegen.common.queue;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The Kafka record that asks a worker to run one task. Deliberately tiny: the task record in the object store is
 * the source of truth, so a redelivered or stale message can never carry outdated parameters.
 */
public record JobMessage(
    @JsonProperty("v") int schemaVersion,
    @JsonProperty("task_id") String taskId,
    @JsonProperty("model") String model,
    @JsonProperty("enqueued_at_ms") long enqueuedAtMillis) {

  public static final int SCHEMA_VERSION = 1;

  public static JobMessage of(String taskId, String model, long enqueuedAtMillis) {
    return new JobMessage(SCHEMA_VERSION, taskId, model, enqueuedAtMillis);
  }
}
