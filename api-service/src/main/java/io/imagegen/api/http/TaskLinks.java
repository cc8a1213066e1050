package io.imagegen.api.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The {@code urls} of a task object ({@code get}, {@code cancel}, {@code stream}), in the API family the client
 * used, absolute like Replicate's and fal's. The stream is the task itself read with
 * {@code Accept: text/event-stream}; see docs/api.md "Task URLs".
 */
final class TaskLinks {
  private static final String TASK_OBJECT = "image.generation.task";

  private TaskLinks() {
  }

  /** Adds {@code urls} to {@code body} when it is a task object; other bodies are returned unchanged. */
  static JsonObject add(RoutingContext ctx, String publicUrl, JsonObject body) {
    if (!TASK_OBJECT.equals(body.getString("object")) || body.getString("id") == null) {
      return body;
    }
    String base = publicUrl != null ? publicUrl
        : ctx.request().scheme() + "://" + ctx.request().authority().toString();
    String task = base + (Responses.isEnvelope(ctx) ? "/api/v1/tasks/" : "/v1/images/generations/")
        + body.getString("id");
    return body.put("urls", new JsonObject().put("get", task).put("cancel", task + "/cancel").put("stream", task));
  }
}
