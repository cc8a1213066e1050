package io.imagegen.common.tasks;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The public {@code image.generation.task} object, as the API answers it and webhooks carry it: never the owner,
 * never storage keys.
 */
public final class TaskView {
  private TaskView() {
  }

  public static JsonObject of(Task task) {
    JsonObject json = new JsonObject()
        .put("id", task.id())
        .put("task_id", task.id())
        .put("object", "image.generation.task")
        .put("status", task.status().name())
        .put("created_at", task.createdAt())
        .put("model", task.model());
    // A variation has no prompt.
    if (task.prompt() != null) {
      json.put("prompt", task.prompt());
    }
    json.put("size", task.size())
        .put("quality", task.quality())
        .put("n", task.n())
        .put("mode", task.mode());
    if (task.startedAt() != null) {
      json.put("started_at", task.startedAt());
    }
    if (task.completedAt() != null) {
      json.put("completed_at", task.completedAt());
    }
    json.put("expires_at", task.expiresAt());
    if (task.callbackUrl() != null) {
      json.put("callback_url", task.callbackUrl());
    }
    if (task.result() != null) {
      json.put("result", result(task.result()));
    }
    if (task.error() != null) {
      json.put("error", new JsonObject().put("code", task.error().code()).put("message", task.error().message()));
    }
    return json;
  }

  /** The OpenAI images response: {@code created}, {@code data[]}, {@code usage}. */
  public static JsonObject result(TaskResult result) {
    JsonArray data = new JsonArray();
    for (ImageData image : result.data()) {
      JsonObject item = new JsonObject().put("url", image.url());
      if (image.revisedPrompt() != null) {
        item.put("revised_prompt", image.revisedPrompt());
      }
      data.add(item);
    }
    // What the vendor reported and nothing else: a count it did not report is left out, not shown as 0.
    Usage reported = result.usage();
    JsonObject usage = new JsonObject().put("generated_images", reported.generatedImages());
    putIfReported(usage, "total_tokens", reported.totalTokens());
    putIfReported(usage, "input_tokens", reported.inputTokens());
    putIfReported(usage, "output_tokens", reported.outputTokens());
    if (reported.inputTokensDetails() != null) {
      JsonObject details = new JsonObject();
      putIfReported(details, "text_tokens", reported.inputTokensDetails().textTokens());
      putIfReported(details, "image_tokens", reported.inputTokensDetails().imageTokens());
      usage.put("input_tokens_details", details);
    }
    JsonObject json = new JsonObject().put("created", result.created()).put("data", data).put("usage", usage);
    if (result.cost() != null) {
      json.put("cost", new JsonObject().put("amount", result.cost().amount()).put("currency",
          result.cost().currency()));
    }
    return json;
  }

  private static void putIfReported(JsonObject json, String field, Integer value) {
    if (value != null) {
      json.put(field, value);
    }
  }
}
