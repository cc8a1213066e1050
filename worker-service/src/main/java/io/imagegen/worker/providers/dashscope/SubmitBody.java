package io.imagegen.worker.providers.dashscope;

import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.tasks.Task;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** The text-to-image submit body: {@code {"model", "input": {...}, "parameters": {...}}}. */
final class SubmitBody {
  private SubmitBody() {
  }

  /** The body for {@code task}; optional fields are sent only when the caller set them, so vendor defaults apply. */
  static JsonObject of(Task task, ModelSpec model) {
    Map<String, Object> params = task.params();
    JsonObject input = new JsonObject().put("prompt", task.prompt());
    putIfSet(input, "negative_prompt", params.get("negative_prompt"));
    JsonObject parameters = new JsonObject();
    if (task.size() != null) {
      // DashScope writes sizes as 1328*1328; our API (like OpenAI's) as 1328x1328.
      parameters.put("size", task.size().replace('x', '*'));
    }
    parameters.put("n", task.n());
    Object seed = params.get("seed");
    if (seed instanceof Number number) {
      parameters.put("seed", number.longValue());
    }
    putIfSet(parameters, "watermark", params.get("watermark"));
    putIfSet(parameters, "prompt_extend", params.get("prompt_extend"));
    return new JsonObject().put("model", model.upstreamModel()).put("input", input).put("parameters", parameters);
  }

  private static void putIfSet(JsonObject target, String field, Object value) {
    if (value != null) {
      // Passthrough values are plain JSON (maps, lists, scalars), which JsonObject accepts as they are.
      target.put(field, value);
    }
  }
}
