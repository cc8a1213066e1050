package io.imagegen.api.http;

import io.imagegen.api.tasks.TaskService;
import io.imagegen.common.errors.RateLimitedException;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * {@code GET /v1/images/generations/{id}?wait=N}: the task now, or once terminal within {@code N} seconds. A wait
 * holds one of the key's open-wait slots and ends the moment its client goes away (docs/api.md).
 */
final class LongPoll {
  private LongPoll() {
  }

  /** Answers the task; {@code decorate} completes the task object (its {@code urls}) before it is sent. */
  static void answer(RoutingContext ctx, TaskService tasks, OpenWaits waits, String owner, String id, Duration wait,
      UnaryOperator<JsonObject> decorate) {
    Promise<Void> gone = Promise.promise();
    OpenWaits.Slot slot = () -> { };
    if (!wait.isZero()) {
      try {
        slot = waits.acquire(owner);
      } catch (RateLimitedException e) {
        HttpErrors.send(ctx, e);
        return;
      }
      OpenWaits.Slot held = slot;
      ctx.response().closeHandler(ignored -> {
        held.release();
        gone.tryComplete();
      });
    }
    OpenWaits.Slot held = slot;
    tasks.get(owner, id, wait, gone.future()).onComplete(outcome -> {
      held.release();
      if (ctx.response().closed() || ctx.response().ended()) {
        return;
      }
      if (outcome.succeeded()) {
        Responses.ok(ctx, 200, decorate.apply(outcome.result()));
      } else {
        HttpErrors.send(ctx, outcome.cause());
      }
    });
  }
}
