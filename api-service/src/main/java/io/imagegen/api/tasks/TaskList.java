package io.imagegen.api.tasks;

import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.storage.BucketLayout;
import io.imagegen.common.storage.ObjectStore;
import io.imagegen.common.storage.Versioned;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskIds;
import io.imagegen.common.tasks.TaskStatus;
import io.imagegen.common.tasks.TaskStore;
import io.imagegen.common.tasks.TaskView;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The caller's own tasks, newest first, from the owner's task index ({@link BucketLayout#ownerTasks}): one ranged LIST
 * and one read per entry, never a listing of the whole bucket. Filters apply to what is read, so a filtered page may
 * hold fewer than {@code limit} tasks; each request scans at most {@link #SCAN_FACTOR} times {@code limit} entries and
 * says where to go on with {@code has_more} and {@code last_id}.
 */
final class TaskList {
  /** The largest page a client may ask for; the same as for images. */
  static final int MAX_LIMIT = 100;
  /** Bounds the storage calls one filtered request can cost. */
  private static final int SCAN_FACTOR = 3;

  /** What the caller asked for; {@code status} and {@code model} may be {@code null}. */
  record Query(TaskStatus status, String model, String after, int limit) {
    /** Validates the raw query parameters, naming the field at fault. */
    static Query parse(String status, String model, String after, String limit) {
      int parsedLimit;
      try {
        parsedLimit = limit == null ? 20 : Integer.parseInt(limit);
      } catch (NumberFormatException e) {
        throw InvalidRequestException.field("limit", "limit must be a whole number");
      }
      if (parsedLimit < 1 || parsedLimit > MAX_LIMIT) {
        throw InvalidRequestException.field("limit", "limit must be between 1 and " + MAX_LIMIT);
      }
      if (after != null && !TaskIds.isWellFormed(after)) {
        throw InvalidRequestException.field("after", "after must be a task id from a listing");
      }
      TaskStatus parsedStatus = null;
      if (status != null) {
        try {
          parsedStatus = TaskStatus.valueOf(status.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw InvalidRequestException.field("status",
              "status must be one of QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED");
        }
      }
      return new Query(parsedStatus, model, after, parsedLimit);
    }
  }

  private final ObjectStore objects;
  private final TaskStore tasks;
  private final Clock clock;

  TaskList(ObjectStore objects, TaskStore tasks, Clock clock) {
    this.objects = objects;
    this.tasks = tasks;
    this.clock = clock;
  }

  /** A page of {@code owner}'s unexpired tasks matching {@code query}, newest first. */
  Future<JsonObject> list(String owner, Query query) {
    String startAfter = query.after() == null ? null : BucketLayout.ownerTask(owner, query.after());
    return objects.list(BucketLayout.ownerTasks(owner), startAfter, query.limit() * SCAN_FACTOR)
        .compose(listing -> {
          List<Future<Versioned<Task>>> reads = new ArrayList<>();
          for (String key : listing.keys()) {
            reads.add(tasks.find(BucketLayout.taskOfEntry(key)));
          }
          return Future.all(reads).map(all -> page(owner, query, listing, all.list()));
        });
  }

  private JsonObject page(String owner, Query query, ObjectStore.Listing listing, List<Versioned<Task>> found) {
    JsonArray data = new JsonArray();
    String lastScanned = null;
    boolean more = listing.truncated();
    for (int i = 0; i < found.size(); i++) {
      if (data.size() == query.limit()) {
        more = true;
        break;
      }
      lastScanned = BucketLayout.taskOfEntry(listing.keys().get(i));
      Task task = found.get(i) == null ? null : found.get(i).value();
      if (task != null && task.owner().equals(owner) && !task.isExpired(clock.instant())
          && (query.status() == null || task.status() == query.status())
          && (query.model() == null || task.model().equals(query.model()))) {
        data.add(TaskView.of(task));
      }
    }
    JsonObject body = new JsonObject().put("object", "list").put("data", data).put("has_more", more);
    if (!data.isEmpty()) {
      body.put("first_id", data.getJsonObject(0).getString("id"));
    }
    if (lastScanned != null) {
      // The cursor is the last entry scanned, matching or not, so a filtered scan goes on where it stopped.
      body.put("last_id", lastScanned);
    }
    return body;
  }
}
