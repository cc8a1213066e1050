package io.imagegen.worker.providers;

import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.tasks.Task;

/** What a provider is asked to do: the task as recorded, its catalog entry and which attempt this is (1-based). */
public record GenerationRequest(Task task, ModelSpec model, int attempt) {
}
