package io.imagegen.common.tasks;

import io.imagegen.common.storage.Versioned;
import io.imagegen.common.errors.ConflictException;
import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.json.Json;
import io.imagegen.common.storage.BucketLayout;
import io.imagegen.common.storage.ObjectStore;
import io.imagegen.common.storage.ObjectStore.Condition;
import io.imagegen.common.storage.ObjectStore;
import io.vertx.core.Future;

/**
 * Task records as private JSON objects ({@link BucketLayout#task}): strongly consistent, conditional on ETags, and no
 * extra server to run. Never written with a public ACL.
 */
public final class S3TaskStore implements TaskStore {
  private static final String CONTENT_TYPE = "application/json";
  private final ObjectStore store;

  public S3TaskStore(ObjectStore store) {
    this.store = store;
  }

  @Override
  public Future<Versioned<Task>> find(String id) {
    return store.get(BucketLayout.task(id)).map(found -> found == null
        ? null
        : new Versioned<>(Json.fromBytes(found.value(), Task.class), found.version()));
  }

  @Override
  public Future<Versioned<Task>> create(Task task) {
    return store.put(BucketLayout.task(task.id()), Json.toBytes(task), CONTENT_TYPE, Condition.ABSENT)
        .map(etag -> new Versioned<>(task, etag));
  }

  @Override
  public Future<Versioned<Task>> replace(Versioned<Task> current, Task next) {
    if (!current.value().id().equals(next.id())) {
      return Future.failedFuture(new IllegalArgumentException("task id changed"));
    }
    if (!current.value().status().canMoveTo(next.status())) {
      return Future.failedFuture(new ConflictException(ErrorCode.ILLEGAL_TRANSITION,
          "task " + next.id() + " cannot move from " + current.value().status() + " to " + next.status()));
    }
    return store.put(BucketLayout.task(next.id()), Json.toBytes(next), CONTENT_TYPE,
        Condition.matching(current.version()))
        .map(etag -> new Versioned<>(next, etag));
  }

  @Override
  public Future<Void> delete(String id) {
    return store.delete(BucketLayout.task(id));
  }
}
