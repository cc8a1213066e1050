package io.imagegen.api.tasks;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.NotFoundException;
import io.imagegen.common.queue.TaskEventListener;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * Waits for tasks to change, woken by task events and, as a safety net for a lost event, by a slow re-read of the
 * task store. Every answer comes from the store, never from the event itself.
 */
final class TaskWaiter {
  private final Vertx vertx;
  private final TaskStore store;
  private final TaskEventListener events;
  private final Duration safetyPoll;

  TaskWaiter(Vertx vertx, TaskStore store, TaskEventListener events, Duration safetyPoll) {
    this.vertx = vertx;
    this.store = store;
    this.events = events;
    this.safetyPoll = safetyPoll;
  }

  /** The task once it is terminal, or as it is when {@code timeout} passes. */
  Future<Task> awaitTerminal(String id, Duration timeout) {
    Promise<Task> result = Promise.promise();
    Follow follow = follow(id, task -> {
      if (task.status().isTerminal()) {
        result.tryComplete(task);
      }
    }, result::tryFail);
    long deadline = vertx.setTimer(Math.max(1, timeout.toMillis()), ignored -> store.find(id)
        .onSuccess(found -> result.tryComplete(found == null ? null : found.value()))
        .onFailure(result::tryFail));
    return result.future().onComplete(ignored -> {
      follow.cancel();
      vertx.cancelTimer(deadline);
    });
  }

  /**
   * Calls {@code onChange} with the task now and after every change until it is terminal or the follow is
   * cancelled; {@code onError} gets a missing task or a store failure.
   */
  Follow follow(String id, Handler<Task> onChange, Handler<Throwable> onError) {
    Follower follower = new Follower(id, onChange, onError);
    follower.start();
    return follower::stop;
  }

  private final class Follower {
    private final String id;
    private final Handler<Task> onChange;
    private final Handler<Throwable> onError;
    private TaskEventListener.Subscription subscription;
    private long timer = -1;
    private boolean done;
    private boolean reading;
    private boolean rereadWanted;
    private Task last;

    Follower(String id, Handler<Task> onChange, Handler<Throwable> onError) {
      this.id = id;
      this.onChange = onChange;
      this.onError = onError;
    }

    void start() {
      // Subscribe before the first read, so that a change between the two is not missed.
      subscription = events == null ? null : events.watch(id, event -> read());
      timer = vertx.setPeriodic(safetyPoll.toMillis(), ignored -> read());
      read();
    }

    void stop() {
      done = true;
      if (subscription != null) {
        subscription.cancel();
      }
      vertx.cancelTimer(timer);
    }

    /** One read at a time; a wake-up during a read triggers exactly one more. */
    private void read() {
      if (done) {
        return;
      }
      if (reading) {
        rereadWanted = true;
        return;
      }
      reading = true;
      store.find(id).onComplete(outcome -> {
        reading = false;
        if (done) {
          return;
        }
        if (outcome.failed() || outcome.result() == null) {
          stop();
          onError.handle(outcome.failed() ? outcome.cause()
              : new NotFoundException(ErrorCode.TASK_NOT_FOUND, "No task found with id '" + id + "'.", "task_id"));
          return;
        }
        Task task = outcome.result().value();
        if (last == null || last.status() != task.status()) {
          last = task;
          if (task.status().isTerminal()) {
            stop();
          }
          onChange.handle(task);
        }
        if (rereadWanted && !done) {
          rereadWanted = false;
          read();
        }
      });
    }
  }
}
