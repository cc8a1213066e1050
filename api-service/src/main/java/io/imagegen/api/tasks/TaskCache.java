package io.imagegen.api.tasks;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.NotFoundException;
import io.imagegen.common.json.Json;
import io.imagegen.common.queue.TaskEvent;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskStatus;
import io.imagegen.common.tasks.TaskStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The API's in-memory view of tasks (docs/architecture.md, "The task view"): the latest snapshot per task by
 * {@link Task#revision()}, bounded by bytes, filled by task events, this service's own writes and store reads, and
 * watched by long-polls, sync waits and event streams. One Vert.x context owns all of its state; callers on any
 * context get answers and watch callbacks on their own context.
 */
public final class TaskCache {
  /** Rough per-entry bookkeeping on top of the snapshot's serialized size. */
  private static final int ENTRY_OVERHEAD_BYTES = 200;

  /** Bounds: approximate bytes kept, and how long a non-terminal snapshot is trusted without news of it. */
  public record Limits(long maxBytes, Duration staleAfter) {
  }

  private final Vertx vertx;
  private final Context owner;
  private final TaskStore store;
  private final Clock clock;
  private final long maxBytes;
  private final long staleAfterNanos;
  /** In access order, so eviction drops the least recently used snapshot first. */
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(256, 0.75f, true);
  private final Map<String, Future<Task>> reads = new HashMap<>();
  private final Map<String, List<Watcher>> watchers = new HashMap<>();
  private long bytes;

  /** A view owned by {@code owner}, which must also be the context the event listener delivers on. */
  public TaskCache(Vertx vertx, Context owner, TaskStore store, Clock clock, Limits limits) {
    this.vertx = vertx;
    this.owner = owner;
    this.store = store;
    this.clock = clock;
    this.maxBytes = limits.maxBytes();
    this.staleAfterNanos = limits.staleAfter().toNanos();
    long sweepMillis = Math.max(1, limits.staleAfter().toMillis() / 2);
    // Timers fire on a copy of the context they were set on; hopping back keeps every touch on the owner itself.
    vertx.setPeriodic(sweepMillis, timer -> owner.runOnContext(ignored -> sweep()));
  }

  /** The task as the view knows it, read from the store when unknown or stale; {@code null} when there is none. */
  Future<Task> get(String id) {
    return onOwner(() -> lookup(id));
  }

  /** Records a snapshot this service has just written, so that its client reads its own write. */
  void put(Task task) {
    owner.runOnContext(ignored -> merge(task, task.revision(), true));
  }

  /**
   * Calls {@code onChange} (on the caller's context) with the task now and after every status change until it is
   * terminal or the returned handle is cancelled; {@code onError} gets a missing task or a failed first read.
   */
  Follow watch(String id, Handler<Task> onChange, Handler<Throwable> onError) {
    Context caller = vertx.getOrCreateContext();
    boolean[] cancelled = new boolean[1];
    Watcher watcher = new Watcher(id,
        task -> caller.runOnContext(ignored -> {
          if (!cancelled[0]) {
            onChange.handle(task);
          }
        }),
        err -> caller.runOnContext(ignored -> {
          if (!cancelled[0]) {
            onError.handle(err);
          }
        }));
    owner.runOnContext(ignored -> watcher.start());
    return () -> {
      cancelled[0] = true;
      owner.runOnContext(ignored -> watcher.stop());
    };
  }

  /** Applies a batch of task events; the event listener calls it on the owner context. */
  public void apply(List<TaskEvent> events) {
    checkOwner();
    for (TaskEvent event : events) {
      Task task = event.task();
      if (task != null && event.revision() != null && task.id().equals(event.taskId())) {
        // A non-terminal snapshot of a task we do not hold may be late; caching it could serve an older version
        // than one served before an eviction, so only its watchers hear of it.
        merge(task, event.revision(), task.status().isTerminal());
      } else if (event.taskId() != null) {
        // An event from an older producer is only a wake-up call.
        Entry entry = entries.get(event.taskId());
        if (entry != null) {
          entry.suspect = true;
        }
        if (watchers.containsKey(event.taskId())) {
          read(event.taskId());
        }
      }
    }
  }

  private Future<Task> lookup(String id) {
    checkOwner();
    Entry entry = entries.get(id);
    if (entry != null && entry.task.isExpired(clock.instant())) {
      drop(id);
      entry = null;
    }
    if (entry != null && (entry.task.status().isTerminal() || !entry.staleAt(System.nanoTime()))) {
      return Future.succeededFuture(entry.task);
    }
    return read(id);
  }

  /** One store read per task at a time; its answer is merged, and the newest snapshot known is returned. */
  private Future<Task> read(String id) {
    Future<Task> pending = reads.get(id);
    if (pending != null) {
      return pending;
    }
    Promise<Task> answer = Promise.promise();
    reads.put(id, answer.future());
    store.find(id).onComplete(outcome -> {
      checkOwner();
      reads.remove(id);
      if (outcome.failed()) {
        answer.fail(outcome.cause());
        return;
      }
      if (outcome.result() == null) {
        drop(id);
        new ArrayList<>(watchers.getOrDefault(id, List.of())).forEach(watcher -> watcher.fail(notFound(id)));
        answer.complete(null);
        return;
      }
      Task found = outcome.result().value();
      merge(found, found.revision(), true);
      Entry entry = entries.get(id);
      answer.complete(entry == null ? found : entry.task);
    });
    return answer.future();
  }

  /** Keeps {@code task} unless a newer or terminal snapshot is held, and tells its watchers. */
  private void merge(Task task, long revision, boolean mayAdd) {
    checkOwner();
    Entry entry = entries.get(task.id());
    if (entry != null && (entry.task.status().isTerminal() || entry.revision > revision)) {
      return;
    }
    if (entry != null && entry.revision == revision) {
      entry.refreshedAt = System.nanoTime();
      entry.suspect = false;
      return;
    }
    if ((entry != null || mayAdd) && !task.isExpired(clock.instant())) {
      keep(task, revision);
    }
    new ArrayList<>(watchers.getOrDefault(task.id(), List.of())).forEach(watcher -> watcher.offer(task, revision));
  }

  private void keep(Task task, long revision) {
    drop(task.id());
    long size = Json.toBytes(task).length + (long) ENTRY_OVERHEAD_BYTES;
    if (size > maxBytes) {
      return;
    }
    entries.put(task.id(), new Entry(task, revision, size));
    bytes += size;
    Iterator<Entry> eldest = entries.values().iterator();
    while (bytes > maxBytes && eldest.hasNext()) {
      bytes -= eldest.next().size;
      eldest.remove();
    }
  }

  private void drop(String id) {
    Entry removed = entries.remove(id);
    if (removed != null) {
      bytes -= removed.size;
    }
  }

  /** Re-reads every watched task the view has lost or not heard of lately: a lost event never freezes a watcher. */
  private void sweep() {
    checkOwner();
    long now = System.nanoTime();
    for (String id : new ArrayList<>(watchers.keySet())) {
      Entry entry = entries.get(id);
      if (entry == null || !entry.task.status().isTerminal() && entry.staleAt(now)) {
        // A failed read is retried by the next sweep.
        read(id);
      }
    }
  }

  /** Runs {@code work} on the owner context and completes the answer on the caller's. */
  private <T> Future<T> onOwner(Supplier<Future<T>> work) {
    Context caller = vertx.getOrCreateContext();
    Promise<T> answer = Promise.promise();
    owner.runOnContext(ignored -> {
      Future<T> result;
      try {
        result = work.get();
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(outcome -> caller.runOnContext(again -> answer.handle(outcome)));
    });
    return answer.future();
  }

  /** Every piece of state here belongs to the owner context; touching it from another is a bug, caught at once. */
  private void checkOwner() {
    if (Vertx.currentContext() != owner) {
      throw new IllegalStateException("task view touched outside its owner context");
    }
  }

  private static NotFoundException notFound(String id) {
    return new NotFoundException(ErrorCode.TASK_NOT_FOUND, "No task found with id '" + id + "'.", "task_id");
  }

  private final class Entry {
    final Task task;
    final long revision;
    final long size;
    long refreshedAt = System.nanoTime();
    /** An event without a snapshot said the task changed. */
    boolean suspect;

    Entry(Task task, long revision, long size) {
      this.task = task;
      this.revision = revision;
      this.size = size;
    }

    boolean staleAt(long nanos) {
      return suspect || nanos - refreshedAt >= staleAfterNanos;
    }
  }

  /** One watch, owned by the owner context; it hands snapshots to the caller's context through its handlers. */
  private final class Watcher {
    private final String id;
    private final Handler<Task> onChange;
    private final Handler<Throwable> onError;
    private long delivered = -1;
    private TaskStatus lastStatus;
    private boolean stopped;

    Watcher(String id, Handler<Task> onChange, Handler<Throwable> onError) {
      this.id = id;
      this.onChange = onChange;
      this.onError = onError;
    }

    void start() {
      checkOwner();
      // Registered before the first read, so that a change between the two is not missed.
      watchers.computeIfAbsent(id, key -> new ArrayList<>()).add(this);
      lookup(id).onComplete(outcome -> {
        if (outcome.failed()) {
          fail(outcome.cause());
        } else if (outcome.result() == null) {
          fail(notFound(id));
        } else {
          offer(outcome.result(), outcome.result().revision());
        }
      });
    }

    void offer(Task task, long revision) {
      checkOwner();
      if (stopped || revision <= delivered) {
        return;
      }
      delivered = revision;
      boolean changed = task.status() != lastStatus;
      lastStatus = task.status();
      if (task.status().isTerminal()) {
        stop();
      }
      if (changed) {
        onChange.handle(task);
      }
    }

    void fail(Throwable err) {
      if (!stopped) {
        stop();
        onError.handle(err);
      }
    }

    void stop() {
      checkOwner();
      if (stopped) {
        return;
      }
      stopped = true;
      List<Watcher> list = watchers.get(id);
      if (list != null) {
        list.remove(this);
        if (list.isEmpty()) {
          watchers.remove(id);
        }
      }
    }
  }
}
