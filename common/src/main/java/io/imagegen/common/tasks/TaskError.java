package io.imagegen.common.tasks;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Why a task FAILED: a stable code plus a human-readable message. */
public record TaskError(@JsonProperty("code") String code, @JsonProperty("message") String message) {
}
