package io.imagegen.worker.providers.ark;

import io.imagegen.common.images.ImageTypes;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.tasks.Task;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/** The JSON body of {@code POST /api/v3/images/generations} for one task. */
final class ArkRequest {
  private ArkRequest() {
  }

  /** The request body; {@code inputs} are the edit's input images (empty for a plain generation). */
  static JsonObject body(Task task, ModelSpec model, List<Buffer> inputs) {
    Map<String, Object> params = task.params();
    JsonObject body = new JsonObject()
        .put("model", model.upstreamModel())
        .put("prompt", task.prompt())
        .put("size", task.size() == null ? model.defaults().size() : task.size())
        // Vendor URLs expire within a day and we re-host anyway, so take the bytes in the answer.
        .put("response_format", "b64_json")
        // Ark stamps a watermark unless told not to; our API's default is an unmarked image.
        .put("watermark", isTrue(params.get("watermark")));
    Object seed = seed(params.get("seed"));
    if (seed != null) {
      body.put("seed", seed);
    }
    Object sequential = params.get("sequential_image_generation");
    if (sequential != null) {
      body.put("sequential_image_generation", String.valueOf(sequential));
      if ("auto".equals(sequential)) {
        // "auto" lets the model decide how many images make the set; n is the ceiling the client asked for.
        body.put("sequential_image_generation_options", new JsonObject().put("max_images", task.n()));
      }
    }
    if (!inputs.isEmpty()) {
      List<String> urls = inputs.stream().map(ImageTypes::dataUrl).toList();
      body.put("image", urls.size() == 1 ? urls.get(0) : new JsonArray(urls));
    }
    for (String field : model.passthrough()) {
      // Our own fields win: a passthrough response_format=url would break re-hosting.
      if (params.containsKey(field) && !body.containsKey(field)) {
        body.put(field, params.get(field));
      }
    }
    return body;
  }

  private static boolean isTrue(Object value) {
    return Boolean.TRUE.equals(value) || value instanceof String s && Boolean.parseBoolean(s.trim());
  }

  private static Object seed(Object value) {
    if (value instanceof Number n) {
      return n.longValue();
    }
    if (value instanceof String s && !s.isBlank()) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        return s; // let Ark say what is wrong with it rather than silently dropping the client's choice
      }
    }
    return null;
  }
}
