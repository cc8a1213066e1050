package io.imagegen.api.http;

import io.imagegen.api.images.ImageService;
import io.imagegen.api.observability.ApiObservability;
import io.imagegen.api.tasks.TaskService;
import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.errors.RateLimitedException;
import io.imagegen.common.observability.TaskContext;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/** Reading what was submitted: one task (plain, long-poll or event stream), the task list, cancel, the image list. */
final class TaskRoutes {
  private final Authenticator auth;
  private final TaskService tasks;
  private final ImageService images;
  private final OpenWaits waits;
  private final ApiObservability observability;
  private final Duration maxWait;
  private final String publicUrl;

  TaskRoutes(Authenticator auth, TaskService tasks, ImageService images, OpenWaits waits,
      ApiObservability observability, Duration maxWait, String publicUrl) {
    this.auth = auth;
    this.tasks = tasks;
    this.images = images;
    this.waits = waits;
    this.observability = observability;
    this.maxWait = maxWait;
    this.publicUrl = publicUrl;
  }

  void get(RoutingContext ctx) {
    String accept = ctx.request().getHeader("Accept");
    String taskId = ctx.pathParam("task_id");
    TaskContext.current().ifPresent(task -> task.with(TaskContext.TASK_ID, taskId).attach());
    if (accept != null && accept.contains("text/event-stream")) {
      observability.holding(ctx, "stream");
      TaskEventStream.open(ctx, tasks, waits, Authenticator.owner(ctx), taskId,
          task -> TaskLinks.add(ctx, publicUrl, task));
      return;
    }
    Duration wait;
    try {
      wait = waitParam(ctx.request().getParam("wait"));
    } catch (InvalidRequestException e) {
      HttpErrors.send(ctx, e);
      return;
    }
    if (!wait.isZero()) {
      observability.holding(ctx, "long_poll");
    }
    LongPoll.answer(ctx, tasks, waits, Authenticator.owner(ctx), taskId, wait,
        task -> TaskLinks.add(ctx, publicUrl, task));
  }

  void cancel(RoutingContext ctx) {
    TaskContext.current().ifPresent(task -> task.with(TaskContext.TASK_ID, ctx.pathParam("task_id")).attach());
    tasks.cancel(Authenticator.owner(ctx), ctx.pathParam("task_id"))
        .onSuccess(task -> Responses.ok(ctx, 200, TaskLinks.add(ctx, publicUrl, task)))
        .onFailure(err -> HttpErrors.send(ctx, err));
  }

  void list(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    tasks.list(Authenticator.owner(ctx), request.getParam("status"), request.getParam("model"),
            request.getParam("after"), request.getParam("limit"))
        .onSuccess(page -> {
          page.getJsonArray("data").forEach(task -> TaskLinks.add(ctx, publicUrl, (JsonObject) task));
          Responses.ok(ctx, 200, page);
        })
        .onFailure(err -> HttpErrors.send(ctx, err));
  }

  void listImages(RoutingContext ctx) {
    int limit;
    String rawLimit = ctx.request().getParam("limit");
    try {
      limit = rawLimit == null ? 20 : Integer.parseInt(rawLimit);
    } catch (NumberFormatException e) {
      HttpErrors.send(ctx, InvalidRequestException.field("limit", "limit must be a whole number"));
      return;
    }
    try {
      // Authentication took one token; each listed image costs one more storage read (docs/operations.md).
      auth.chargeReads(ctx, Math.max(0, Math.min(limit, ImageService.MAX_LIMIT)));
    } catch (RateLimitedException e) {
      HttpErrors.send(ctx, e);
      return;
    }
    images.list(Authenticator.owner(ctx), ctx.request().getParam("after"), limit)
        .onSuccess(body -> Responses.ok(ctx, 200, body))
        .onFailure(err -> HttpErrors.send(ctx, err));
  }

  private Duration waitParam(String raw) {
    if (raw == null || raw.isEmpty()) {
      return Duration.ZERO;
    }
    try {
      int seconds = Integer.parseInt(raw);
      if (seconds >= 0 && seconds <= maxWait.toSeconds()) {
        return Duration.ofSeconds(seconds);
      }
    } catch (NumberFormatException e) {
      // Reported below with the allowed range.
    }
    throw InvalidRequestException.field("wait", "wait must be a whole number of seconds from 0 to "
        + maxWait.toSeconds());
  }
}
