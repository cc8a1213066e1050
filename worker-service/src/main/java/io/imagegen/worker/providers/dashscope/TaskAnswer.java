package io.imagegen.worker.providers.dashscope;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What DashScope says about a task, from a submit or task-query answer:
 * {@code {"output": {"task_id", "task_status", "code"?, "message"?, "results"?: [...]}, "usage"?: {"image_count"}}}.
 *
 * @param imageCount {@code usage.image_count}, or {@code null} when absent
 */
record TaskAnswer(String taskId, String status, String code, String message, List<Result> results,
    Integer imageCount) {

  /** One entry of {@code output.results}: either a {@code url} or, for a failed sub-image, a code and message. */
  record Result(String url, String actualPrompt, String code, String message) {
    boolean succeeded() {
      return url != null && !url.isBlank();
    }
  }

  TaskAnswer {
    results = List.copyOf(results);
  }

  /** The answer in {@code body}, or {@code null} when it is not JSON with an {@code output} object. */
  static TaskAnswer parse(Buffer body) {
    JsonObject json = json(body);
    return json == null ? null : from(json);
  }

  /** The answer in {@code json}, or {@code null} when it has no {@code output} object. */
  static TaskAnswer from(JsonObject json) {
    JsonObject output = object(json, "output");
    if (output == null) {
      return null;
    }
    List<Result> results = new ArrayList<>();
    Object list = output.getValue("results");
    if (list instanceof JsonArray array) {
      for (Object entry : array) {
        if (entry instanceof JsonObject r) {
          results.add(new Result(text(r, "url"), text(r, "actual_prompt"), text(r, "code"), text(r, "message")));
        }
      }
    }
    JsonObject usage = object(json, "usage");
    Object count = usage == null ? null : usage.getValue("image_count");
    return new TaskAnswer(text(output, "task_id"), text(output, "task_status"), text(output, "code"),
        text(output, "message"), results, count instanceof Number n ? n.intValue() : null);
  }

  /** {@code body} as a JSON object, or {@code null} when it is empty or not one (truncated, HTML, an array). */
  static JsonObject json(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    try {
      return new JsonObject(body);
    } catch (RuntimeException notAnObject) {
      return null;
    }
  }

  /** A string field, or {@code null} when absent or of another type. */
  static String text(JsonObject json, String field) {
    return json.getValue(field) instanceof String s ? s : null;
  }

  private static JsonObject object(JsonObject json, String field) {
    return json.getValue(field) instanceof JsonObject o ? o : null;
  }
}
