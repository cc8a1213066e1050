package io.imagegen.api.http;

import io.imagegen.api.tasks.TaskService;
import io.imagegen.common.errors.RateLimitedException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.UnaryOperator;

/**
 * {@code GET /v1/images/generations/{id}} with {@code Accept: text/event-stream}: one {@code task} event with the
 * task object now and after every status change, ending after the terminal one. Each event's {@code id:} is the
 * task's revision; a reconnect sending {@code Last-Event-ID} gets only what is newer, and 204 (which tells an
 * EventSource to stop reconnecting) when it already saw the terminal event (docs/api.md).
 */
final class TaskEventStream {
  /** Comment lines keep idle proxies from closing a stream that waits minutes for a slow model. */
  private static final long HEARTBEAT_MS = 15_000;

  private TaskEventStream() {
  }

  /** Streams the task; {@code decorate} completes each task object (its {@code urls}) before it is sent. */
  static void open(RoutingContext ctx, TaskService tasks, OpenWaits waits, String owner, String id,
      UnaryOperator<JsonObject> decorate) {
    OpenWaits.Slot slot;
    try {
      slot = waits.acquire(owner);
    } catch (RateLimitedException e) {
      HttpErrors.send(ctx, e);
      return;
    }
    HttpServerResponse response = ctx.response();
    long seen = lastEventId(ctx.request().getHeader("Last-Event-ID"));
    tasks.follow(owner, id, change -> send(response, change, seen, decorate), err -> {
      if (!response.ended() && !response.closed()) {
        start(response);
        response.write("event: error\ndata: " + new JsonObject().put("message", err.getMessage()).encode() + "\n\n");
        response.end();
      }
    }).onSuccess(follow -> {
      response.closeHandler(ignored -> {
        slot.release();
        follow.cancel();
      });
      response.endHandler(ignored -> slot.release());
      // The timer also notices a stream that ended or whose client left, and then cleans up after itself.
      ctx.vertx().setPeriodic(HEARTBEAT_MS, timer -> {
        if (response.ended() || response.closed()) {
          ctx.vertx().cancelTimer(timer);
          slot.release();
          follow.cancel();
        } else {
          response.write(": keep-alive\n\n");
        }
      });
    }).onFailure(err -> {
      slot.release();
      HttpErrors.send(ctx, err);
    });
  }

  private static void send(HttpServerResponse response, TaskService.Change change, long seen,
      UnaryOperator<JsonObject> decorate) {
    if (response.ended() || response.closed()) {
      return;
    }
    if (change.revision() <= seen) {
      if (!change.terminal()) {
        start(response);
        // Tells the client its resumed stream is open, with nothing new to say yet.
        response.write(": resumed\n\n");
      } else if (response.headWritten()) {
        response.end();
      } else {
        response.setStatusCode(204).end();
      }
      return;
    }
    start(response);
    response.write("id: " + change.revision() + "\nevent: task\ndata: " + decorate.apply(change.task()).encode() + "\n\n");
    if (change.terminal()) {
      response.end();
    }
  }

  private static void start(HttpServerResponse response) {
    if (!response.headWritten()) {
      response.setChunked(true)
          .putHeader("Content-Type", "text/event-stream")
          .putHeader("Cache-Control", "no-cache");
    }
  }

  /** The revision a reconnecting client last saw; anything unreadable means none, as for a first connection. */
  private static long lastEventId(String header) {
    if (header == null) {
      return -1;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
