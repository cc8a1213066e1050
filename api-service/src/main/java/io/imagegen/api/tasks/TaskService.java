package io.imagegen.api.tasks;

import io.imagegen.common.observability.TaskContext;
import io.imagegen.api.queue.JobProducer;
import io.imagegen.common.errors.ConflictException;
import io.imagegen.common.errors.NotFoundException;
import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.fetch.SafeFetcher;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.queue.JobMessage;
import io.imagegen.common.queue.TaskEventListener;
import io.imagegen.common.queue.TaskEventPublisher;
import io.imagegen.common.storage.ObjectStore;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskIds;
import io.imagegen.common.tasks.TaskStore;
import io.imagegen.common.tasks.TaskView;
import io.imagegen.common.storage.Versioned;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Submits, looks up, waits for and cancels tasks on behalf of an authenticated owner. */
public final class TaskService {
  private static final Logger LOG = LoggerFactory.getLogger(TaskService.class);
  /** Re-reads after losing a write race with a worker. */
  private static final int MAX_CANCEL_ATTEMPTS = 5;

  /** Time limits of the service, as data. */
  public record Settings(Duration retention, Duration syncWait, Duration maxLongPoll, Duration safetyPoll,
      boolean logPrompts) {
  }

  private final Vertx vertx;
  private final RequestParser parser;
  private final TaskStore store;
  private final ObjectStore objects;
  private final JobProducer producer;
  private final TaskEventPublisher events;
  private final TaskWaiter waiter;
  private final InputImages inputs;
  private final Idempotency idempotency;
  private final CallbackUrls callbacks;
  private final Clock clock;
  private final Settings settings;

  public TaskService(Vertx vertx, ModelCatalog catalog, TaskStore store, ObjectStore objects, JobProducer producer,
      TaskEventPublisher events, TaskEventListener listener, SafeFetcher fetcher, CallbackUrls callbacks, Clock clock,
      Settings settings) {
    this.inputs = new InputImages(fetcher, objects);
    this.callbacks = callbacks;
    this.idempotency = new Idempotency(objects, clock, settings.retention());
    this.vertx = vertx;
    this.parser = new RequestParser(catalog);
    this.store = store;
    this.objects = objects;
    this.producer = producer;
    this.events = events;
    this.waiter = new TaskWaiter(vertx, store, listener, settings.safetyPoll());
    this.clock = clock;
    this.settings = settings;
  }

  /**
   * Validates {@code body}, records a QUEUED task and enqueues its job; nothing is answered before both are durable,
   * and if the job cannot be enqueued the record is removed again, so no task is half-written. Async-only models
   * answer the task object; the others wait (up to the sync limit) and answer the OpenAI images response.
   */
  public Future<Reply> submit(String owner, JsonObject body, String idempotencyKey) {
    GenerationRequest request;
    String callbackUrl;
    try {
      request = parser.parse(body);
      callbackUrl = callbacks.check(owner, request.callbackUrl());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (idempotencyKey == null) {
      return submit(owner, request, callbackUrl, TaskIds.next());
    }
    return idempotency.claim(owner, idempotencyKey, body, TaskIds.next()).compose(claim -> claim.fresh()
        ? submit(owner, request, callbackUrl, claim.taskId())
            .onFailure(err -> idempotency.release(owner, idempotencyKey))
        : replay(owner, request, claim.taskId()));
  }

  /** A retried submit: the same answer as the first, for the same task, without a second job. */
  private Future<Reply> replay(String owner, GenerationRequest request, String id) {
    return owned(owner, id).recover(err -> Future.failedFuture(Idempotency.inProgress()))
        .compose(found -> request.model().asyncOnly()
            ? Future.succeededFuture(Reply.complete(TaskView.of(found.value())))
            : waiter.awaitTerminal(id, settings.syncWait()).compose(done -> syncReply(done,
                request.responseFormat())));
  }

  private Future<Reply> submit(String owner, GenerationRequest request, String callbackUrl, String id) {
    TaskContext.current().ifPresent(task -> task.with(TaskContext.TASK_ID, id).attach());
    boolean edit = "edit".equals(request.mode());
    Future<List<String>> inputKeys = edit
        ? inputs.store(id, request.model(), request.params().get("image"))
        : Future.succeededFuture(List.of());
    Future<Task> queued = inputKeys.compose(keys -> {
      Task task = Task.queued(id, owner, clock.instant(), settings.retention(), request.model().id(),
          request.prompt(), request.size(), request.quality(), request.n(), request.mode(), params(request, keys))
          .withCallbackUrl(callbackUrl);
      return store.create(task)
          // The job carries the record just written, saving the worker a read (docs/performance.md#storage-calls).
          .compose(created -> producer.send(JobMessage.carrying(created, clock.millis()))
              .recover(err -> store.delete(task.id())
                  .onFailure(cleanup -> LOG.error("task {} not enqueued and its record could not be removed",
                      task.id(), cleanup))
                  .transform(ignored -> Future.failedFuture(err))))
          .onFailure(err -> inputs.discard(keys))
          .map(ignored -> {
            // Prompts are the users' content: only with IMAGEGEN_LOG_PROMPTS=true (docs/operations.md#logs).
            if (settings.logPrompts()) {
              LOG.info("task {} queued, prompt: {}", task.id(), task.prompt());
            } else {
              LOG.info("task {} queued", task.id());
            }
            return task;
          });
    });
    if (request.model().asyncOnly()) {
      return queued.map(t -> Reply.complete(TaskView.of(t)));
    }
    return queued.compose(t -> waiter.awaitTerminal(t.id(), settings.syncWait()))
        .compose(done -> syncReply(done, request.responseFormat()));
  }

  /** The caller's task, after waiting up to {@code wait} for it to become terminal. */
  public Future<JsonObject> get(String owner, String id, Duration wait) {
    Future<Task> found = owned(owner, id).map(Versioned::value);
    if (wait.isZero()) {
      return found.map(TaskView::of);
    }
    Duration bounded = wait.compareTo(settings.maxLongPoll()) > 0 ? settings.maxLongPoll() : wait;
    return found.compose(task -> task.status().isTerminal()
        ? Future.succeededFuture(task)
        : waiter.awaitTerminal(id, bounded)).map(TaskView::of);
  }

  /** Streams the caller's task on every change until it is terminal; the returned handle stops early. */
  public Future<Follow> follow(String owner, String id, Handler<JsonObject> onChange,
      Handler<Throwable> onError) {
    return owned(owner, id).map(found -> waiter.follow(id, task -> onChange.handle(TaskView.of(task)), onError));
  }

  /** Cancels the caller's task unless it already finished; workers honour it before starting and between attempts. */
  public Future<JsonObject> cancel(String owner, String id) {
    return owned(owner, id).compose(found -> cancel(found, 1)).map(TaskView::of);
  }

  private Future<Task> cancel(Versioned<Task> current, int attempt) {
    Task task = current.value();
    if (task.status().isTerminal()) {
      return Future.failedFuture(new ConflictException("task_not_cancellable",
          "Task '" + task.id() + "' is already " + task.status() + " and cannot be cancelled."));
    }
    return store.replace(current, task.cancelled(clock.instant(), settings.retention()))
        .map(written -> {
          vertx.executeBlocking(() -> {
            events.publish(written.value());
            return null;
          }, false);
          return written.value();
        })
        .recover(err -> err instanceof ConflictException && attempt < MAX_CANCEL_ATTEMPTS
            ? store.find(task.id()).compose(reread -> cancel(reread, attempt + 1))
            : Future.failedFuture(err));
  }

  /** The task if it exists, belongs to {@code owner} and has not expired; otherwise a 404 that reveals nothing. */
  private Future<Versioned<Task>> owned(String owner, String id) {
    if (!TaskIds.isWellFormed(id)) {
      return Future.failedFuture(notFound(id));
    }
    return store.find(id).compose(found -> {
      if (found == null || !found.value().owner().equals(owner)) {
        return Future.failedFuture(notFound(id));
      }
      if (found.value().isExpired(clock.instant())) {
        return Future.failedFuture(new NotFoundException("task_expired", "Task '" + id
            + "' has expired; results are kept for " + settings.retention().toHours() + " hours.", "task_id"));
      }
      return Future.succeededFuture(found);
    });
  }

  private Future<Reply> syncReply(Task task, String responseFormat) {
    if (task == null) {
      return Future.failedFuture(new IllegalStateException("task record vanished while waiting"));
    }
    return switch (task.status()) {
      case SUCCEEDED -> SyncResponses.render(task.result(), responseFormat, objects).map(Reply::complete);
      case FAILED, CANCELLED -> Future.failedFuture(new UpstreamException(task.error().code(),
          task.error().message(), false, null));
      case QUEUED, RUNNING -> Future.succeededFuture(new Reply(Reply.Kind.STILL_RUNNING, TaskView.of(task)));
    };
  }

  /** The parameters workers see: inline inputs replaced by their storage keys, so task records stay small. */
  private static Map<String, Object> params(GenerationRequest request, List<String> inputKeys) {
    Map<String, Object> params = new LinkedHashMap<>(request.params());
    params.put("response_format", request.responseFormat());
    if (!inputKeys.isEmpty()) {
      params.remove("image");
      params.put("image_keys", inputKeys);
    }
    return params;
  }

  private static NotFoundException notFound(String id) {
    return new NotFoundException("task_not_found", "No task found with id '" + id + "'.", "task_id");
  }
}
