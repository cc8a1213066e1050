package io.imagegen.api.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagegen.common.queue.TaskEvent;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskError;
import io.imagegen.common.tasks.TaskIds;
import io.imagegen.common.tasks.TaskStatus;
import io.imagegen.common.tasks.TaskStore;
import io.imagegen.common.storage.Versioned;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The API's task view (docs/architecture.md, "The task view"), against an in-memory store that counts reads. */
class TaskCacheTest {
  private static final Duration STALE = Duration.ofMillis(300);
  private static final Duration RETENTION = Duration.ofHours(1);

  private final List<Throwable> problems = new CopyOnWriteArrayList<>();
  private Vertx vertx;
  private Context owner;
  private FakeStore store;

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
    // An owner check that fails inside a handler lands here; every test ends by asserting there was none.
    vertx.exceptionHandler(problems::add);
    owner = vertx.getOrCreateContext();
    store = new FakeStore();
  }

  @AfterEach
  void stopVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(problems).isEmpty();
  }

  @Test
  void aTerminalTaskAnnouncedByAnEventIsServedWithoutAStoreRead() throws Exception {
    TaskCache view = view(STALE);
    Task failed = failed(running(queued()));
    apply(view, TaskEvent.of(failed, 0));

    assertThat(get(view, failed.id()).status()).isEqualTo(TaskStatus.FAILED);
    assertThat(store.reads.get()).isZero();
  }

  @Test
  void theSubmittingClientReadsItsOwnWriteWithoutAStoreRead() throws Exception {
    TaskCache view = view(STALE);
    Task queued = queued();
    store.save(queued);
    view.put(queued);

    assertThat(get(view, queued.id()).status()).isEqualTo(TaskStatus.QUEUED);
    assertThat(store.reads.get()).isZero();
  }

  @Test
  void aPollReachesTheTerminalStateThroughTheStoreWhenEveryEventIsLost() {
    TaskCache view = view(STALE);
    Task queued = queued();
    store.save(queued);
    view.put(queued);
    // The worker finishes the task; its events never arrive.
    store.save(failed(running(queued)));

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(get(view, queued.id()).status()).isEqualTo(TaskStatus.FAILED));
    assertThat(store.reads.get()).isPositive();
  }

  @Test
  void aWatcherReachesTheTerminalStateThroughTheStoreWhenEveryEventIsLost() {
    TaskCache view = view(STALE);
    Task queued = queued();
    store.save(queued);
    List<TaskStatus> seen = new CopyOnWriteArrayList<>();
    onContext(vertx.getOrCreateContext(), () -> view.watch(queued.id(), task -> seen.add(task.status()),
        problems::add));
    await().until(() -> seen.contains(TaskStatus.QUEUED));

    store.save(failed(running(queued)));

    await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains(TaskStatus.FAILED));
  }

  @Test
  void anEventFromAnOlderProducerWakesWatchersToReReadAtOnce() {
    TaskCache view = view(Duration.ofMinutes(10));
    Task queued = queued();
    store.save(queued);
    List<TaskStatus> seen = new CopyOnWriteArrayList<>();
    onContext(vertx.getOrCreateContext(), () -> view.watch(queued.id(), task -> seen.add(task.status()),
        problems::add));
    await().until(() -> seen.contains(TaskStatus.QUEUED));

    Task failed = failed(running(queued));
    store.save(failed);
    apply(view, new TaskEvent(1, failed.id(), failed.status(), 0, false, null, null));

    await().atMost(Duration.ofSeconds(2)).until(() -> seen.contains(TaskStatus.FAILED));
  }

  @Test
  void anOlderSnapshotNeverReplacesANewerOne() throws Exception {
    TaskCache view = view(Duration.ofMinutes(10));
    Task running = running(queued());
    Task failed = failed(running);
    apply(view, TaskEvent.of(failed, 0));
    // A late event of the earlier write, as from a second producer.
    apply(view, TaskEvent.of(running, 0));

    assertThat(get(view, failed.id()).status()).isEqualTo(TaskStatus.FAILED);
  }

  @Test
  void aStoreReadOvertakenByANewerEventAnswersTheNewerSnapshot() throws Exception {
    TaskCache view = view(STALE);
    Task running = running(queued());
    Task failed = failed(running);
    Promise<Versioned<Task>> slowRead = store.holdNextRead();
    CompletableFuture<Task> answer = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(ignored -> view.get(running.id())
        .onSuccess(answer::complete).onFailure(answer::completeExceptionally));
    await().until(() -> store.reads.get() == 1);

    apply(view, TaskEvent.of(failed, 0));
    owner.runOnContext(ignored -> slowRead.complete(new Versioned<>(running, "etag-running")));

    assertThat(answer.get(5, TimeUnit.SECONDS).status()).isEqualTo(TaskStatus.FAILED);
  }

  @Test
  void aLateRunningEventForATaskTheViewDoesNotHoldIsNotServed() throws Exception {
    TaskCache view = view(Duration.ofMinutes(10));
    Task running = running(queued());
    store.save(failed(running));
    apply(view, TaskEvent.of(running, 0));

    assertThat(get(view, running.id()).status()).isEqualTo(TaskStatus.FAILED);
    assertThat(store.reads.get()).isEqualTo(1);
  }

  @Test
  void theViewStaysWithinItsByteBudgetByDroppingTheLeastRecentlyUsed() throws Exception {
    Task sample = failed(running(queued()));
    long entry = io.imagegen.common.json.Json.toBytes(sample).length + 200L;
    TaskCache view = new TaskCache(vertx, owner, store, Clock.systemUTC(),
        new TaskCache.Limits(entry * 3 + entry / 2, STALE));
    List<Task> tasks = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Task task = failed(running(queued()));
      tasks.add(task);
      store.save(task);
      apply(view, TaskEvent.of(task, 0));
    }

    get(view, tasks.get(9).id());
    get(view, tasks.get(7).id());
    assertThat(store.reads.get()).isZero();
    get(view, tasks.get(0).id());
    assertThat(store.reads.get()).isEqualTo(1);
  }

  @Test
  void callersOnManyContextsGetTheirAnswersOnTheirOwnContextWhileTheOwnerAloneTouchesTheView() {
    TaskCache view = view(Duration.ofMillis(20));
    List<Task> tasks = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Task queued = queued();
      store.save(queued);
      tasks.add(queued);
    }
    AtomicInteger terminal = new AtomicInteger();
    for (int c = 0; c < 4; c++) {
      Context caller = vertx.getOrCreateContext();
      caller.runOnContext(ignored -> {
        for (Task task : tasks) {
          view.put(task);
          view.get(task.id()).onComplete(outcome -> checkOn(caller));
          Follow follow = view.watch(task.id(), seen -> {
            checkOn(caller);
            if (seen.status().isTerminal()) {
              terminal.incrementAndGet();
            }
          }, problems::add);
          if (task.id().hashCode() % 3 == 0) {
            follow.cancel();
          }
        }
      });
    }
    for (Task task : tasks) {
      Task failed = failed(running(task));
      store.save(failed);
      if (task.id().hashCode() % 2 == 0) {
        apply(view, TaskEvent.of(failed, 0));
      }
    }

    long uncancelled = tasks.stream().filter(task -> task.id().hashCode() % 3 != 0).count();
    await().atMost(Duration.ofSeconds(10)).until(() -> terminal.get() == 4 * uncancelled);
  }

  private void checkOn(Context expected) {
    if (Vertx.currentContext() != expected) {
      problems.add(new AssertionError("callback ran on " + Vertx.currentContext() + ", not the caller's context"));
    }
  }

  private TaskCache view(Duration staleAfter) {
    return new TaskCache(vertx, owner, store, Clock.systemUTC(), new TaskCache.Limits(1 << 20, staleAfter));
  }

  private void apply(TaskCache view, TaskEvent event) {
    owner.runOnContext(ignored -> view.apply(List.of(event)));
  }

  /** {@code view.get} called from a context other than the owner, as request handlers do. */
  private Task get(TaskCache view, String id) throws Exception {
    Context caller = vertx.getOrCreateContext();
    CompletableFuture<Task> answer = new CompletableFuture<>();
    caller.runOnContext(ignored -> view.get(id).onComplete(outcome -> {
      checkOn(caller);
      if (outcome.succeeded()) {
        answer.complete(outcome.result());
      } else {
        answer.completeExceptionally(outcome.cause());
      }
    }));
    return answer.get(5, TimeUnit.SECONDS);
  }

  private static void onContext(Context context, Supplier<?> work) {
    context.runOnContext(ignored -> work.get());
  }

  private static Task queued() {
    Instant now = Instant.now();
    return Task.queued(TaskIds.next(now), "alice", now, RETENTION, "demo-async", "a fox", "64x64", "auto", 1,
        "generation", Map.of());
  }

  private static Task running(Task task) {
    return task.running(Instant.now());
  }

  private static Task failed(Task task) {
    return task.failed(new TaskError("upstream_error", "the model gave up"), Instant.now(), RETENTION);
  }

  /** Tasks in memory; every read is counted and must come from the view's owner context. */
  private final class FakeStore implements TaskStore {
    final Map<String, Task> tasks = new ConcurrentHashMap<>();
    final AtomicInteger reads = new AtomicInteger();
    private volatile Promise<Versioned<Task>> held;

    void save(Task task) {
      tasks.put(task.id(), task);
    }

    Promise<Versioned<Task>> holdNextRead() {
      held = Promise.promise();
      return held;
    }

    @Override
    public Future<Versioned<Task>> find(String id) {
      reads.incrementAndGet();
      checkOn(owner);
      Promise<Versioned<Task>> slow = held;
      if (slow != null) {
        held = null;
        return slow.future();
      }
      Task task = tasks.get(id);
      return Future.succeededFuture(task == null ? null : new Versioned<>(task, "etag-" + task.revision()));
    }

    @Override
    public Future<Versioned<Task>> create(Task task) {
      throw new UnsupportedOperationException("the view only reads");
    }

    @Override
    public Future<Versioned<Task>> replace(Versioned<Task> current, Task next) {
      throw new UnsupportedOperationException("the view only reads");
    }

    @Override
    public Future<Void> delete(String id) {
      throw new UnsupportedOperationException("the view only reads");
    }
  }
}
