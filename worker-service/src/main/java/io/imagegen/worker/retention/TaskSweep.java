package io.imagegen.worker.retention;

import io.imagegen.common.images.ImageRecords;
import io.imagegen.common.storage.BucketLayout;
import io.imagegen.common.storage.ObjectStore;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskStore;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes every object of one task once it has expired: its images, inputs, the owner's image records and task index
 * entry, its Idempotency-Key claim, and last the task record, so that a sweep cut short is simply done again. Repeating a sweep
 * is harmless (deleting a missing object succeeds).
 */
final class TaskSweep {
  /** Keys listed per call; a task has at most a few images per attempt. */
  private static final int PAGE = 1000;

  private final ObjectStore objects;
  private final TaskStore tasks;
  private final Clock clock;

  TaskSweep(ObjectStore objects, TaskStore tasks, Clock clock) {
    this.objects = objects;
    this.tasks = tasks;
    this.clock = clock;
  }

  /** Sweeps {@code taskId}; the result is {@code null} when done, or when the task expires if it has not yet. */
  Future<Instant> sweep(String taskId) {
    return tasks.find(taskId).compose(found -> {
      Task task = found == null ? null : found.value();
      if (task != null && !task.isExpired(clock.instant())) {
        return Future.succeededFuture(Instant.ofEpochSecond(task.expiresAt()));
      }
      List<String> keys = new ArrayList<>();
      if (task != null) {
        keys.addAll(ImageRecords.keys(task));
        keys.add(BucketLayout.ownerTask(task.owner(), taskId));
        if (task.params().get(Task.IDEMPOTENCY_RECORD) instanceof String claim) {
          keys.add(claim);
        }
      }
      return deletePrefix(BucketLayout.images(taskId))
          .compose(ignored -> deletePrefix(BucketLayout.inputs(taskId)))
          .compose(ignored -> deleteAll(keys))
          .compose(ignored -> tasks.delete(taskId))
          .map((Instant) null);
    });
  }

  private Future<Void> deletePrefix(String prefix) {
    return objects.list(prefix, null, PAGE).compose(listing -> deleteAll(listing.keys())
        .compose(ignored -> listing.truncated() ? deletePrefix(prefix) : Future.succeededFuture()));
  }

  private Future<Void> deleteAll(List<String> keys) {
    return Future.all(keys.stream().map(objects::delete).toList()).mapEmpty();
  }
}
