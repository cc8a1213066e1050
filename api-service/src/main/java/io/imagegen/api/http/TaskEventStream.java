package io.imagegen.api.http;

import io.imagegen.api.tasks.TaskService;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * {@code GET /v1/images/generations/{id}} with {@code Accept: text/event-stream}: one {@code task} event with the
 * task object now and after every status change, ending after the terminal one.
 */
final class TaskEventStream {
  /** Comment lines keep idle proxies from closing a stream that waits minutes for a slow model. */
  private static final long HEARTBEAT_MS = 15_000;
  private static final List<String> TERMINAL = List.of("SUCCEEDED", "FAILED", "CANCELLED");

  private TaskEventStream() {
  }

  /** Streams the task; {@code decorate} completes each task object (its {@code urls}) before it is sent. */
  static void open(RoutingContext ctx, TaskService tasks, String owner, String id, UnaryOperator<JsonObject> decorate) {
    HttpServerResponse response = ctx.response();
    tasks.follow(owner, id, task -> send(response, decorate.apply(task)), err -> {
      if (!response.ended()) {
        response.write("event: error\ndata: " + new JsonObject().put("message", err.getMessage()).encode() + "\n\n");
        response.end();
      }
    }).onSuccess(follow -> {
      response.closeHandler(ignored -> follow.cancel());
      // The timer also notices a stream that ended or whose client left, and then cleans up after itself.
      ctx.vertx().setPeriodic(HEARTBEAT_MS, timer -> {
        if (response.ended() || response.closed()) {
          ctx.vertx().cancelTimer(timer);
          follow.cancel();
        } else {
          response.write(": keep-alive\n\n");
        }
      });
    }).onFailure(err -> HttpErrors.send(ctx, err));
  }

  private static void send(HttpServerResponse response, JsonObject task) {
    if (response.ended() || response.closed()) {
      return;
    }
    if (!response.headWritten()) {
      response.setChunked(true)
          .putHeader("Content-Type", "text/event-stream")
          .putHeader("Cache-Control", "no-cache");
    }
    response.write("event: task\ndata: " + task.encode() + "\n\n");
    if (TERMINAL.contains(task.getString("status"))) {
      response.end();
    }
  }
}
