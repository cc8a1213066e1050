package io.imagegen.worker.tasks;

import io.imagegen.common.observability.TaskContext;
import io.imagegen.common.config.Durations;
import io.imagegen.common.errors.ConflictException;
import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.queue.JobMessage;
import io.imagegen.common.queue.TaskEventPublisher;
import io.imagegen.common.storage.ObjectStore;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskError;
import io.imagegen.common.tasks.TaskStatus;
import io.imagegen.common.tasks.TaskStore;
import io.imagegen.common.usage.UsageEntry;
import io.imagegen.common.usage.UsageLedger;
import io.imagegen.common.storage.Versioned;
import io.imagegen.worker.deadletters.DeadLetter;
import io.imagegen.worker.providers.Generation;
import io.imagegen.worker.providers.GenerationRequest;
import io.imagegen.worker.providers.ImageProvider;
import io.imagegen.worker.providers.Providers;
import io.imagegen.worker.queue.JobOutcome;
import io.imagegen.worker.upstream.UpstreamGate;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one job from QUEUED to a terminal state, idempotently: a job whose task is already terminal is skipped,
 * image keys are fixed per task, and every task write is conditional on the version read, so a redelivered or
 * raced job can never publish a second result. The returned future completes only once the outcome is durable.
 */
public final class JobRunner {
  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
  /** Re-reads after losing a write race; more than a handful means something is badly wrong. */
  private static final int MAX_CONFLICTS = 5;

  private final Vertx vertx;
  private final TaskStore tasks;
  private final ResultStore results;
  private final ModelCatalog catalog;
  private final Providers providers;
  private final RetryPolicy upstreamRetry;
  private final StorageRetry storage;
  private final Duration retention;
  private final Duration deadline;
  private final TaskEventPublisher events;
  private final UsageLedger ledger;
  private final UpstreamGate gate;
  private final MeterRegistry metrics;
  private final Clock clock;

  public JobRunner(Vertx vertx, TaskStore tasks, ObjectStore objects, ModelCatalog catalog, Providers providers,
      RetryPolicy upstreamRetry, Duration retention, Duration deadline, TaskEventPublisher events, UsageLedger ledger,
      UpstreamGate gate, MeterRegistry metrics, Clock clock) {
    this.vertx = vertx;
    this.ledger = ledger;
    this.gate = gate;
    this.metrics = metrics;
    this.events = events;
    this.tasks = tasks;
    this.catalog = catalog;
    this.providers = providers;
    this.upstreamRetry = upstreamRetry;
    this.storage = new StorageRetry(vertx, metrics);
    this.results = new ResultStore(vertx, objects, storage, retention, clock);
    this.retention = retention;
    this.deadline = deadline;
    this.clock = clock;
  }

  /**
   * Runs {@code job}; completes when its task is terminal, asking for a dead letter when it ended {@code FAILED}.
   * Fails with a non-retryable error when the job can never run (no task record, or an unreadable one).
   */
  public Future<JobOutcome> run(JobMessage job) {
    if (job.schemaVersion() > JobMessage.SCHEMA_VERSION) {
      // A newer producer during a rolling upgrade: dead-lettered, to be replayed once every worker understands it.
      return Future.failedFuture(new UnusableJobException(ErrorCode.UNSUPPORTED_JOB_VERSION, "Job schema version "
          + job.schemaVersion() + " is newer than this worker's " + JobMessage.SCHEMA_VERSION + ".", null));
    }
    Versioned<Task> enqueued = job.enqueued();
    // A job carrying the record as enqueued skips the read: every use of it is a write conditional on its version,
    // so a copy made stale by a cancel or an earlier delivery loses that write and is re-read (docs/performance.md).
    return enqueued == null ? decide(job.taskId(), 0) : decideOn(enqueued, 0);
  }

  private Future<JobOutcome> decide(String taskId, int conflicts) {
    return read(taskId).compose(found -> decideOn(found, conflicts));
  }

  private Future<JobOutcome> decideOn(Versioned<Task> found, int conflicts) {
    String taskId = found.value().id();
    Task task = found.value();
    TaskContext.current().ifPresent(context -> context.with(TaskContext.OWNER, task.owner()).attach());
    if (task.status().isTerminal()) {
      LOG.info("task {} is already {}; skipping redelivered job", taskId, task.status());
      // Whoever ended it may have died before announcing it; a repeated wake-up costs listeners one re-read.
      announce(task);
      // A crash after the result but before its image records, ledger entry (or dead letter) leaves them to this
      // redelivery; a repeated ledger entry replaces itself (docs/architecture.md#usage-ledger).
      return settle(task).compose(ignored -> results.recordImages(task)).map(ignored -> outcome(task));
    }
    ModelSpec model = catalog.find(task.model()).orElse(null);
    if (!clock.instant().isBefore(deadlineOf(task, model))) {
      return fail(found, ErrorCode.TIMEOUT.code(), "The task did not finish within "
          + Durations.format(deadlineFor(model)) + ".");
    }
    ImageProvider provider = model == null ? null : providers.find(model.provider()).orElse(null);
    if (provider == null) {
      return fail(found, ErrorCode.MODEL_NOT_AVAILABLE.code(), "Model '" + task.model()
          + "' is not served by this worker.");
    }
    return write(found, task.running(clock.instant()), conflicts,
        running -> attempt(running, model, provider, conflicts));
  }

  /** The task as stored; a missing or unreadable record makes the job unusable rather than retried forever. */
  private Future<Versioned<Task>> read(String taskId) {
    return storage.run("task_read", () -> tasks.find(taskId)).transform(found -> {
      if (found.failed()) {
        return Future.failedFuture(found.cause() instanceof UncheckedIOException unreadable
            ? UnusableJobException.unreadableTask(taskId, unreadable)
            : found.cause());
      }
      if (found.result() == null) {
        // E.g. the API removed a record whose job it could not enqueue, and the job landed after all.
        return Future.failedFuture(new UnusableJobException(ErrorCode.TASK_MISSING, "Task " + taskId + " has no record.",
            null));
      }
      return Future.succeededFuture(found.result());
    });
  }

  private Future<JobOutcome> attempt(Versioned<Task> running, ModelSpec model, ImageProvider provider,
      int conflicts) {
    Task task = running.value();
    // Waiting for capacity counts toward the task's deadline; the attempt timeout starts with the call itself.
    Future<Generation> generated = gate.call(model, deadlineOf(task, model), () -> {
      Future<Generation> call;
      try {
        call = provider.generate(new GenerationRequest(task, model, task.attempts()));
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
      // A hanging call must not carry the task past its deadline, so the deadline caps the attempt timeout.
      Duration untilDeadline = Duration.between(clock.instant(), deadlineOf(task, model));
      boolean deadlineFirst = untilDeadline.compareTo(model.attemptTimeout()) < 0;
      long limitMillis = Math.max(1, (deadlineFirst ? untilDeadline : model.attemptTimeout()).toMillis());
      return call.timeout(limitMillis, TimeUnit.MILLISECONDS).recover(err -> {
        if (!(err instanceof TimeoutException)) {
          return Future.failedFuture(err);
        }
        // Nobody publishes an answer that comes after we gave up on it, so its spool files are ours to delete.
        call.onSuccess(results::deleteSpoolFiles);
        return Future.failedFuture(deadlineFirst
            ? new UpstreamException(ErrorCode.TIMEOUT, "The task did not finish within "
                + Durations.format(deadlineFor(model)) + ".", err)
            : new UpstreamException(ErrorCode.UPSTREAM_TIMEOUT, "The model did not answer within "
                + Durations.format(model.attemptTimeout()) + ".", err));
      });
    });
    RetryPolicy retry = retryPolicy(model);
    return generated.transform(outcome -> {
      if (outcome.succeeded()) {
        return publish(running, model, outcome.result()).map(JobOutcome.DONE);
      }
      Throwable err = outcome.cause();
      if (err instanceof UpstreamException upstream && upstream.retryable() && retry.allowsAnother(task.attempts())) {
        Duration pause = retry.delayAfter(task.attempts());
        if (upstream.retryAfter() != null && upstream.retryAfter().compareTo(pause) > 0) {
          // The vendor knows its own recovery time better than our backoff curve does.
          pause = upstream.retryAfter();
        }
        LOG.info("task {} attempt {} failed ({}); retrying in {} ms", task.id(), task.attempts(), upstream.code(),
            pause.toMillis());
        Counter.builder("imagegen.worker.retries").description("Upstream attempts that failed and will be retried")
            .tag("provider", model.provider()).tag("code", upstream.code()).register(metrics).increment();
        // Re-read before retrying so that a cancellation or another worker's result is honoured.
        return vertx.timer(Math.max(1, pause.toMillis())).compose(ignored -> decide(task.id(), conflicts));
      }
      if (err instanceof UpstreamException upstream) {
        return fail(running, upstream.code(), upstream.getMessage());
      }
      LOG.error("task {} failed unexpectedly", task.id(), err);
      return fail(running, ErrorCode.INTERNAL_ERROR.code(), "The worker failed unexpectedly while generating the image.");
    });
  }

  /** How long a task may take: the model's deadline, the worker's by default. */
  private Duration deadlineFor(ModelSpec model) {
    return model == null ? deadline : model.deadlineOr(deadline);
  }

  /** When {@code task} must be terminal. */
  private Instant deadlineOf(Task task, ModelSpec model) {
    return Instant.ofEpochSecond(task.createdAt()).plus(deadlineFor(model));
  }

  /** The worker's retry policy with the provider's own attempt budget, if the catalog sets one. */
  private RetryPolicy retryPolicy(ModelSpec model) {
    Integer attempts = catalog.provider(model.provider()).maxAttempts();
    return attempts == null ? upstreamRetry : upstreamRetry.withMaxAttempts(attempts);
  }

  private Future<Void> publish(Versioned<Task> running, ModelSpec model, Generation generation) {
    return results.store(running.value(), model, generation)
        .compose(result -> finish(running, latest -> latest.succeeded(result, clock.instant(), retention), 0)
            .compose(ended -> results.discardUnpublished(result, ended).map(ended)))
        .compose(results::recordImages);
  }

  private Future<JobOutcome> fail(Versioned<Task> current, String code, String message) {
    return finish(current, latest -> latest.failed(new TaskError(code, message), clock.instant(), retention), 0)
        .map(JobRunner::outcome);
  }

  /** Every task that ends {@code FAILED} gets a dead letter, also when a redelivery finds it so (at least once). */
  private static JobOutcome outcome(Task ended) {
    return ended.status() == TaskStatus.FAILED
        ? JobOutcome.deadLettered(DeadLetter.failed(ended.error().code(), ended.error().message(), ended.attempts()))
        : JobOutcome.DONE;
  }

  /**
   * Writes a terminal outcome. On a lost race the task is re-read: if somebody else already ended it, theirs stands;
   * if it is still running (another worker picked up a redelivery), ours is written over it, so the first outcome to
   * arrive wins and there is only ever one. Completes with the task as it ended.
   */
  private Future<Task> finish(Versioned<Task> current, UnaryOperator<Task> outcome, int conflicts) {
    Task next = outcome.apply(current.value());
    return storage.run("task_write", () -> tasks.replace(current, next)).transform(written -> {
      if (written.succeeded()) {
        announce(next);
        Counter.builder("imagegen.worker.task.outcomes").description("Terminal outcomes this worker wrote")
            .tag("status", next.status().name()).tag("code", next.error() == null ? "" : next.error().code())
            .register(metrics).increment();
        LOG.info("task {} {}{}", next.id(), next.status(), next.error() == null ? "" : ": " + next.error().code());
        UsageEntry entry = entry(next);
        count(entry);
        // The offset is committed only after this, so a crash before it leaves the entry to the redelivery.
        return ledger.publish(entry).map(next);
      }
      if (!(written.cause() instanceof ConflictException) || conflicts >= MAX_CONFLICTS) {
        return Future.failedFuture(written.cause());
      }
      return storage.run("task_read", () -> tasks.find(next.id())).compose(latest -> {
        if (latest == null || latest.value().status().isTerminal()) {
          LOG.info("task {} was ended by somebody else; keeping their outcome", next.id());
          // Whoever ended it (e.g. the API cancelling) may have died before writing its ledger entry.
          return latest == null ? Future.succeededFuture(next) : settle(latest.value()).map(latest.value());
        }
        return finish(latest, outcome, conflicts + 1);
      });
    });
  }

  /** Writes {@code next} over {@code current}; on a lost race, re-reads and decides again. */
  private Future<JobOutcome> write(Versioned<Task> current, Task next, int conflicts,
      Function<Versioned<Task>, Future<JobOutcome>> then) {
    return storage.run("task_write", () -> tasks.replace(current, next)).transform(outcome -> {
      if (outcome.succeeded()) {
        announce(outcome.result().value());
        return then.apply(outcome.result());
      }
      if (outcome.cause() instanceof ConflictException && conflicts < MAX_CONFLICTS) {
        LOG.info("task {} changed underneath us; re-reading", next.id());
        return decide(next.id(), conflicts + 1);
      }
      return Future.failedFuture(outcome.cause());
    });
  }

  /** Writes the ledger entry of a terminal task (again): the same key, the same content, so never counted twice. */
  private Future<Void> settle(Task ended) {
    return ledger.publish(entry(ended));
  }

  private UsageEntry entry(Task ended) {
    return UsageEntry.terminal(ended, catalog.find(ended.model()).orElse(null));
  }

  /** Images and spend this worker settled, by model and currency; never by owner (cardinality). */
  private void count(UsageEntry entry) {
    if (entry.images() > 0) {
      Counter.builder("imagegen.worker.images.generated").description("Images of tasks this worker settled")
          .tag("model", entry.model()).register(metrics).increment(entry.images());
    }
    if (entry.currency() != null && entry.amount().signum() > 0) {
      Counter.builder("imagegen.worker.cost").description("Catalog cost of tasks this worker settled")
          .tag("model", entry.model()).tag("currency", entry.currency()).register(metrics)
          .increment(entry.amount().doubleValue());
    }
  }

  /** Tells listeners (sync waits, long polls, streams) about a change that is already durable. */
  private void announce(Task task) {
    vertx.executeBlocking(() -> {
      events.publish(task);
      return null;
    }, false);
  }
}
