package io.imagegen.api.tasks;

import io.imagegen.common.tasks.Task;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;

/** Waits for tasks to become terminal, woken by the task view (docs/architecture.md, "The task view"). */
final class TaskWaiter {
  private final Vertx vertx;
  private final TaskCache view;

  TaskWaiter(Vertx vertx, TaskCache view) {
    this.vertx = vertx;
    this.view = view;
  }

  /**
   * The task once it is terminal, or as last seen when {@code timeout} passes; gives up, failing, as soon as
   * {@code abandoned} completes (the client went away), so nothing keeps watching for nobody.
   */
  Future<Task> awaitTerminal(String id, Duration timeout, Future<?> abandoned) {
    Promise<Task> result = Promise.promise();
    Task[] last = new Task[1];
    Follow follow = view.watch(id, task -> {
      last[0] = task;
      if (task.status().isTerminal()) {
        result.tryComplete(task);
      }
    }, result::tryFail);
    long deadline = vertx.setTimer(Math.max(1, timeout.toMillis()), ignored -> {
      if (last[0] != null) {
        result.tryComplete(last[0]);
      } else {
        view.get(id).onComplete(result::tryComplete, result::tryFail);
      }
    });
    abandoned.onComplete(ignored -> result.tryFail(new IllegalStateException("the client went away")));
    return result.future().onComplete(ignored -> {
      follow.cancel();
      vertx.cancelTimer(deadline);
    });
  }
}
