package io.imagegen.api.tasks;

import io.imagegen.common.observability.TaskContext;
import io.imagegen.api.queue.JobPositions;
import io.imagegen.api.queue.JobProducer;
import io.imagegen.api.usage.UsageService;
import io.imagegen.common.errors.ConflictException;
import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.NotFoundException;
import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.fetch.SafeFetcher;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.queue.JobMessage;
import io.imagegen.common.queue.TaskEventPublisher;
import io.imagegen.common.storage.BucketLayout;
import io.imagegen.common.storage.ObjectStore;
import io.imagegen.common.storage.ObjectStore.Condition;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskIds;
import io.imagegen.common.tasks.TaskStatus;
import io.imagegen.common.tasks.TaskStore;
import io.imagegen.common.tasks.TaskView;
import io.imagegen.common.usage.UsageEntry;
import io.imagegen.common.storage.Versioned;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Submits, looks up, waits for and cancels tasks on behalf of an authenticated owner. */
public final class TaskService {
  private static final Logger LOG = LoggerFactory.getLogger(TaskService.class);
  /** Re-reads after losing a write race with a worker. */
  private static final int MAX_CANCEL_ATTEMPTS = 5;
  /** {@code size} values of OpenAI's images response. */
  private static final java.util.Set<String> OPENAI_RESPONSE_SIZES = java.util.Set.of("1024x1024", "1024x1536",
      "1536x1024");

  /** Time limits of the service, as data. */
  public record Settings(Duration retention, Duration syncWait, Duration maxLongPoll, boolean logPrompts) {
  }

  /** One status change of a followed task: the public task object and the revision it shows. */
  public record Change(JsonObject task, long revision, boolean terminal) {
  }

  private final Vertx vertx;
  private final RequestParser parser;
  private final TaskStore store;
  private final ObjectStore objects;
  private final JobProducer producer;
  private final TaskEventPublisher events;
  private final TaskCache view;
  private final TaskWaiter waiter;
  private final InputImages inputs;
  private final TaskList tasks;
  private final Idempotency idempotency;
  private final CallbackUrls callbacks;
  private final UsageService usage;
  private final Clock clock;
  private final Settings settings;
  private final JobPositions positions;

  public TaskService(Vertx vertx, ModelCatalog catalog, TaskStore store, ObjectStore objects, JobProducer producer,
      TaskEventPublisher events, TaskCache view, SafeFetcher fetcher, CallbackUrls callbacks, UsageService usage,
      Clock clock, Settings settings, JobPositions positions) {
    this.positions = positions;
    this.usage = usage;
    this.inputs = new InputImages(fetcher, objects);
    this.tasks = new TaskList(objects, store, clock);
    this.callbacks = callbacks;
    this.idempotency = new Idempotency(objects, clock, settings.retention());
    this.vertx = vertx;
    this.parser = new RequestParser(catalog);
    this.store = store;
    this.objects = objects;
    this.producer = producer;
    this.events = events;
    this.view = view;
    this.waiter = new TaskWaiter(vertx, view);
    this.clock = clock;
    this.settings = settings;
  }

  /**
   * Validates {@code body}, records a QUEUED task and enqueues its job; nothing is answered before both are durable,
   * and if the job cannot be enqueued the record is removed again, so no task is half-written. Async-only models
   * answer the task object; the others wait (up to the sync limit) and answer the OpenAI images response.
   */
  public Future<Reply> submit(String owner, JsonObject body, String idempotencyKey) {
    return submit(owner, body, idempotencyKey, parser::parse);
  }

  /** {@link #submit} for {@code POST /v1/images/variations}: one input image, no prompt. */
  public Future<Reply> submitVariation(String owner, JsonObject body, String idempotencyKey) {
    return submit(owner, body, idempotencyKey, parser::parseVariation);
  }

  private Future<Reply> submit(String owner, JsonObject body, String idempotencyKey,
      Function<JsonObject, GenerationRequest> parse) {
    GenerationRequest request;
    String callbackUrl;
    try {
      request = parse.apply(body);
      callbackUrl = callbacks.check(owner, request.callbackUrl());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (idempotencyKey == null) {
      return submit(owner, request, callbackUrl, TaskIds.next(clock.instant()), null);
    }
    return idempotency.claim(owner, idempotencyKey, body, TaskIds.next(clock.instant())).compose(claim -> claim.fresh()
        ? submit(owner, request, callbackUrl, claim.taskId(), Idempotency.record(owner, idempotencyKey))
            .onFailure(err -> idempotency.release(owner, idempotencyKey))
        : replay(owner, request, claim.taskId()));
  }

  /** A retried submit: the same answer as the first, for the same task, without a second job. */
  private Future<Reply> replay(String owner, GenerationRequest request, String id) {
    return owned(owner, id).recover(err -> Future.failedFuture(Idempotency.inProgress()))
        .compose(found -> request.model().asyncOnly()
            ? Future.succeededFuture(Reply.complete(view(found)))
            : waiter.awaitTerminal(id, settings.syncWait(), unabandoned()).compose(done -> syncReply(done, request)));
  }

  private Future<Reply> submit(String owner, GenerationRequest request, String callbackUrl, String id,
      String idempotencyRecord) {
    TaskContext.current().ifPresent(task -> task.with(TaskContext.TASK_ID, id).attach());
    Instant now = clock.instant();
    UsageEntry reservation;
    try {
      // Before anything is stored: a submit over budget leaves nothing behind (docs/api.md#budgets).
      reservation = usage.admit(id, owner, request.model(), request.mode(), request.size(), request.n(),
          now.getEpochSecond());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Object image = request.params().get("image");
    Future<InputImages.Stored> inputKeys = image != null
        ? inputs.store(id, request.model(), image, request.params().get("mask"))
        : Future.succeededFuture(InputImages.Stored.NONE);
    Future<Task> queued = inputKeys.compose(keys -> {
      Task task = Task.queued(id, owner, now, settings.retention(), request.model().id(),
          request.prompt(), request.size(), request.quality(), request.n(), request.mode(),
          params(request, keys, idempotencyRecord))
          .withCallbackUrl(callbackUrl);
      String indexEntry = BucketLayout.ownerTask(owner, task.id());
      // The owner's index entry is written beside the record (in parallel: no added latency) so that listing the
      // caller's tasks never lists the bucket; both go again if the job cannot be enqueued. The reservation goes on
      // the ledger before the job, so no worker can settle the task ahead of it (and compaction keeps the
      // settlement: docs/architecture.md#usage-ledger).
      // The job carries the record just written, saving the worker a read (docs/performance.md#storage-calls).
      Future<Versioned<Task>> created = store.create(task);
      return Future.all(created, objects.put(indexEntry, new byte[0], "application/json", Condition.NONE))
          .compose(written -> usage.reserve(reservation)
              .compose(reserved -> producer.send(JobMessage.carrying(created.result(), clock.millis()))))
          .recover(err -> Future.join(store.delete(task.id()), objects.delete(indexEntry))
              .onFailure(cleanup -> LOG.error("task {} not enqueued and its record could not be removed",
                  task.id(), cleanup))
              .transform(ignored -> Future.failedFuture(err)))
          .onFailure(err -> inputs.discard(keys.all()))
          .map(ignored -> {
            view.put(task);
            // Prompts are the users' content: only with IMAGEGEN_LOG_PROMPTS=true (docs/operations.md#logs).
            if (settings.logPrompts()) {
              LOG.info("task {} queued, prompt: {}", task.id(), task.prompt());
            } else {
              LOG.info("task {} queued", task.id());
            }
            return task;
          });
    }).onFailure(err -> usage.release(reservation));
    if (request.model().asyncOnly()) {
      return queued.map(t -> Reply.complete(view(t)));
    }
    return queued.compose(t -> waiter.awaitTerminal(t.id(), settings.syncWait(), unabandoned()))
        .compose(done -> syncReply(done, request));
  }

  /** A page of the caller's own tasks, newest first. */
  public Future<JsonObject> list(String owner, String status, String model, String after, String limit) {
    TaskList.Query query;
    try {
      query = TaskList.Query.parse(status, model, after, limit);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return tasks.list(owner, query);
  }

  /**
   * The caller's task, after waiting up to {@code wait} for it to become terminal; the wait ends early, failing,
   * when {@code abandoned} completes.
   */
  public Future<JsonObject> get(String owner, String id, Duration wait, Future<?> abandoned) {
    Future<Task> found = owned(owner, id);
    if (wait.isZero()) {
      return found.map(this::view);
    }
    Duration bounded = wait.compareTo(settings.maxLongPoll()) > 0 ? settings.maxLongPoll() : wait;
    return found.compose(task -> task.status().isTerminal()
        ? Future.succeededFuture(task)
        : waiter.awaitTerminal(id, bounded, abandoned)).map(this::view);
  }

  /** Streams the caller's task on every status change until it is terminal; the returned handle stops early. */
  public Future<Follow> follow(String owner, String id, Handler<Change> onChange, Handler<Throwable> onError) {
    return owned(owner, id).map(found -> view.watch(id, task -> onChange.handle(new Change(view(task),
        task.revision(), task.status().isTerminal())), onError));
  }

  /** Cancels the caller's task unless it already finished; workers honour it before starting and between attempts. */
  public Future<JsonObject> cancel(String owner, String id) {
    // The view answers who owns the task; the conditional write needs the stored version.
    return owned(owner, id).compose(ignored -> store.find(id))
        .compose(found -> found == null ? Future.failedFuture(notFound(id)) : cancel(found, 1))
        .map(this::view);
  }

  private Future<Task> cancel(Versioned<Task> current, int attempt) {
    Task task = current.value();
    if (task.status().isTerminal()) {
      return Future.failedFuture(new ConflictException(ErrorCode.TASK_NOT_CANCELLABLE,
          "Task '" + task.id() + "' is already " + task.status() + " and cannot be cancelled."));
    }
    return store.replace(current, task.cancelled(clock.instant(), settings.retention()))
        .map(written -> {
          view.put(written.value());
          vertx.executeBlocking(() -> {
            events.publish(written.value());
            return null;
          }, false);
          // The budget gets its room back now; the worker settles the same entry again when it sees the job.
          usage.settle(written.value());
          return written.value();
        })
        .recover(err -> err instanceof ConflictException && attempt < MAX_CANCEL_ATTEMPTS
            ? store.find(task.id()).compose(reread -> cancel(reread, attempt + 1))
            : Future.failedFuture(err));
  }

  /** The task if it exists, belongs to {@code owner} and has not expired; otherwise a 404 that reveals nothing. */
  private Future<Task> owned(String owner, String id) {
    if (!TaskIds.isWellFormed(id)) {
      return Future.failedFuture(notFound(id));
    }
    return view.get(id).compose(found -> {
      if (found == null) {
        // Swept after its retention (docs/architecture.md, "Retention"): the id's time says which.
        return Future.failedFuture(TaskIds.createdAt(id).plus(settings.retention()).isBefore(clock.instant())
            ? expired(id) : notFound(id));
      }
      if (!found.owner().equals(owner)) {
        return Future.failedFuture(notFound(id));
      }
      if (found.isExpired(clock.instant())) {
        return Future.failedFuture(expired(id));
      }
      return Future.succeededFuture(found);
    });
  }

  private NotFoundException expired(String id) {
    return new NotFoundException(ErrorCode.TASK_EXPIRED, "Task '" + id + "' has expired; results are kept for "
        + settings.retention().toHours() + " hours.", "task_id");
  }

  private Future<Reply> syncReply(Task task, GenerationRequest request) {
    if (task == null) {
      return Future.failedFuture(new IllegalStateException("task record vanished while waiting"));
    }
    return switch (task.status()) {
      // Seed 001: the provider-side model that served it; like gpt-image answers, the size actually produced.
      case SUCCEEDED -> SyncResponses.render(task.result(), request.responseFormat(), objects)
          .map(body -> Reply.complete(withSize(body.put("model", request.model().upstreamModel()), task.size())));
      // The task's code decides the status (docs/api.md, "Errors"): a moderation refusal is a 400, a timeout 524.
      case FAILED, CANCELLED -> Future.failedFuture(UpstreamException.finalFailure(task.error().code(),
          task.error().message()));
      case QUEUED, RUNNING -> Future.succeededFuture(new Reply(Reply.Kind.STILL_RUNNING, view(task)));
    };
  }

  /**
   * The task object, and for a QUEUED task where it stands ({@code queue_position}, {@code eta_seconds}), measured
   * now: see docs/api.md "Where a task stands".
   */
  private JsonObject view(Task task) {
    JsonObject json = TaskView.of(task);
    if (task.status() == TaskStatus.QUEUED) {
      positions.standing(task.id()).ifPresent(standing -> {
        json.put("queue_position", standing.position());
        if (standing.etaSeconds() != null) {
          json.put("eta_seconds", standing.etaSeconds());
        }
      });
    }
    return json;
  }

  /**
   * The produced size beside the images when it is one of the values OpenAI's images response documents: strict
   * SDKs (openai-java's validation) refuse any other. The task object always carries it (docs/api.md, "Sizes").
   */
  private static JsonObject withSize(JsonObject body, String size) {
    return OPENAI_RESPONSE_SIZES.contains(size) ? body.put("size", size) : body;
  }

  /**
   * The parameters workers see: inline inputs replaced by their storage keys, so task records stay small, plus the
   * key of the task's Idempotency-Key claim, so that retention deletes it with the task.
   */
  private static Map<String, Object> params(GenerationRequest request, InputImages.Stored inputKeys,
      String idempotencyRecord) {
    Map<String, Object> params = new LinkedHashMap<>(request.params());
    params.put("response_format", request.responseFormat());
    if (!inputKeys.imageKeys().isEmpty()) {
      params.remove("image");
      params.put("image_keys", inputKeys.imageKeys());
    }
    if (inputKeys.maskKey() != null) {
      params.remove("mask");
      params.put("mask_key", inputKeys.maskKey());
    }
    if (idempotencyRecord != null) {
      params.put(Task.IDEMPOTENCY_RECORD, idempotencyRecord);
    }
    return params;
  }

  /** Sync waits end with their time limit, not with the connection. */
  private static Future<Void> unabandoned() {
    return Promise.<Void>promise().future();
  }

  private static NotFoundException notFound(String id) {
    return new NotFoundException(ErrorCode.TASK_NOT_FOUND, "No task found with id '" + id + "'.", "task_id");
  }
}
