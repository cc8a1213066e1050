package io.imagegen.worker.webhooks;

import io.imagegen.worker.observability.WorkerTracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.semconv.HttpAttributes;
import io.imagegen.common.errors.ImageGenException;
import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.errors.UnavailableException;
import io.imagegen.common.fetch.SafeFetcher;
import io.imagegen.common.queue.TaskEvent;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskStore;
import io.imagegen.common.tasks.TaskView;
import io.imagegen.common.storage.Versioned;
import io.imagegen.common.webhooks.WebhookSecrets;
import io.imagegen.worker.providers.UpstreamFailures;
import io.imagegen.worker.tasks.RetryPolicy;
import io.imagegen.worker.tasks.UnusableJobException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the webhook of one terminal task: reads the task, then POSTs the Standard Webhooks payload through the
 * SSRF-safe fetcher, signed afresh per attempt. Network errors, 408, 429 and 5xx are retried with backoff (a longer
 * {@code Retry-After} wins) up to the retry budget; any other answer ends the delivery. The returned future says how
 * the delivery ended; it fails only when the task record cannot be used: unreadable (a non-retryable
 * {@link UnusableJobException}, which the consumer dead-letters as poison, as it does for image jobs) or refused for a
 * reason other than our storage being unavailable (the consumer runs the delivery again later).
 */
final class CallbackSender {
  /** How a delivery ended. */
  enum Outcome {
    /** The task has no callback URL (or no longer exists): nothing to send. */
    NOT_NEEDED,
    /** The receiver answered 2xx. */
    DELIVERED,
    /** The receiver refused it for good (a 4xx other than 408/429, a redirect, TLS) or the attempts ran out. */
    GAVE_UP,
    /** The URL may not be called: it resolves to a refused address, or the owner has no signing secret here. */
    REFUSED,
    /** This worker already sent (or is sending) the same message: a repeated event, e.g. a re-announced end. */
    REPEATED
  }

  /** The signed content of one delivery, identical on every attempt and every redelivery. */
  record Message(String id, String url, Buffer body) {
    static Message of(Task task) {
      String status = task.status().name().toLowerCase(Locale.ROOT);
      JsonObject payload = new JsonObject()
          .put("type", "image.generation.task." + status)
          // When the task finished, not when this attempt was made: the body must not change between attempts.
          .put("timestamp", Instant.ofEpochSecond(task.completedAt()).toString())
          .put("data", TaskView.of(task));
      // Stable per task and status, so a receiver drops the duplicates that at-least-once delivery brings.
      return new Message("msg_" + task.id() + "_" + status, task.callbackUrl(), payload.toBuffer());
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(CallbackSender.class);
  /** About an hour of terminal tasks at 3 per second, for a few hundred kilobytes of ids. */
  private static final int REMEMBERED = 10_000;

  private final Vertx vertx;
  private final TaskStore store;
  private final SafeFetcher fetcher;
  private final WebhookSecrets secrets;
  private final RetryPolicy retry;
  private final Clock clock;
  private final Map<Outcome, LongAdder> outcomes = new EnumMap<>(Outcome.class);
  /**
   * Message ids recently taken on. Events for one task share a partition, so its repeats reach this worker; a
   * bounded memory keeps them from becoming repeated POSTs without a store round trip (a crash still may).
   */
  private final Map<String, Boolean> taken = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > REMEMBERED;
    }
  };

  CallbackSender(Vertx vertx, TaskStore store, SafeFetcher fetcher, WebhookSecrets secrets, RetryPolicy retry,
      Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.fetcher = fetcher;
    this.secrets = secrets;
    this.retry = retry;
    this.clock = clock;
    for (Outcome outcome : Outcome.values()) {
      outcomes.put(outcome, new LongAdder());
    }
  }

  /** Delivers the webhook {@code event} calls for, if any; completes once delivered or given up. */
  Future<Outcome> deliver(TaskEvent event) {
    return read(event.taskId(), 0).compose(found -> {
      Task task = found == null ? null : found.value();
      if (task == null || task.callbackUrl() == null || !task.status().isTerminal()) {
        return Future.succeededFuture(Outcome.NOT_NEEDED);
      }
      byte[] key = secrets.secretFor(task.owner()).orElse(null);
      if (key == null) {
        LOG.error("webhook for task {} refused: owner '{}' has no secret in {} on this worker", task.id(),
            task.owner(), WebhookSecrets.VARIABLE);
        return Future.succeededFuture(Outcome.REFUSED);
      }
      Message message = Message.of(task);
      if (!takeOn(message.id())) {
        return Future.succeededFuture(Outcome.REPEATED);
      }
      return attempt(message, key, 1);
    }).map(outcome -> {
      outcomes.get(outcome).increment();
      return outcome;
    });
  }

  private boolean takeOn(String messageId) {
    synchronized (taken) {
      return taken.put(messageId, Boolean.TRUE) == null;
    }
  }

  /** How many deliveries ended each way since start. */
  Map<Outcome, Long> outcomes() {
    Map<Outcome, Long> counts = new EnumMap<>(Outcome.class);
    outcomes.forEach((outcome, count) -> counts.put(outcome, count.sum()));
    return counts;
  }

  private Future<Versioned<Task>> read(String taskId, int failures) {
    return store.find(taskId).recover(err -> {
      if (err instanceof UncheckedIOException unreadable) {
        // The same bytes on every read: waiting would stall every later delivery of this events partition.
        return Future.failedFuture(UnusableJobException.unreadableTask(taskId, unreadable));
      }
      if (!(err instanceof UnavailableException)) {
        return Future.failedFuture(err);
      }
      Duration pause = RetryPolicy.OWN_STORAGE.delayAfter(failures + 1);
      LOG.warn("cannot read task {} for its webhook ({}); retrying in {} ms", taskId, err.getMessage(),
          pause.toMillis());
      return vertx.timer(Math.max(1, pause.toMillis())).compose(ignored -> read(taskId, failures + 1));
    });
  }

  private Future<Outcome> attempt(Message message, byte[] key, int attempt) {
    long timestamp = clock.instant().getEpochSecond();
    Map<String, String> headers = Map.of(
        "Content-Type", "application/json",
        "webhook-id", message.id(),
        "webhook-timestamp", Long.toString(timestamp),
        "webhook-signature", Signature.sign(key, message.id(), timestamp, message.body().getBytes()));
    return WorkerTracing.around("webhook POST", SpanKind.CLIENT, Attributes.of(HttpAttributes.HTTP_REQUEST_METHOD,
        "POST", AttributeKey.longKey("imagegen.webhook.attempt"), (long) attempt),
        fetcher.post(message.url(), headers, message.body())).transform(ar -> {
      if (ar.succeeded()) {
        return answered(message, key, attempt, ar.result());
      }
      Throwable err = ar.cause();
      if (err instanceof InvalidRequestException) {
        LOG.warn("webhook {} refused: {}", message.id(), err.getMessage());
        return Future.succeededFuture(Outcome.REFUSED);
      }
      if (err instanceof ImageGenException known && !known.retryable()) {
        LOG.warn("webhook {} given up: {}", message.id(), err.getMessage());
        return Future.succeededFuture(Outcome.GAVE_UP);
      }
      return again(message, key, attempt, err.getMessage(), null);
    });
  }

  private Future<Outcome> answered(Message message, byte[] key, int attempt, SafeFetcher.Posted posted) {
    int status = posted.statusCode();
    if (status >= 200 && status <= 299) {
      LOG.info("webhook {} delivered on attempt {} ({})", message.id(), attempt, status);
      return Future.succeededFuture(Outcome.DELIVERED);
    }
    if (status == 408 || status == 429 || status >= 500) {
      return again(message, key, attempt, "answered " + status, UpstreamFailures.retryAfter(posted.retryAfter()));
    }
    // Redirects are not followed (the target was vetted, its Location was not); other 4xx will not change.
    LOG.warn("webhook {} given up: the receiver answered {}", message.id(), status);
    return Future.succeededFuture(Outcome.GAVE_UP);
  }

  private Future<Outcome> again(Message message, byte[] key, int attempt, String why, Duration retryAfter) {
    if (!retry.allowsAnother(attempt)) {
      LOG.warn("webhook {} given up after {} attempts; the last {}", message.id(), attempt, why);
      return Future.succeededFuture(Outcome.GAVE_UP);
    }
    Duration pause = retry.delayAfter(attempt);
    if (retryAfter != null && retryAfter.compareTo(pause) > 0) {
      pause = retryAfter;
    }
    LOG.info("webhook {} attempt {} failed ({}); retrying in {} ms", message.id(), attempt, why, pause.toMillis());
    // Jitter can round a short pause down to 0 ms, which Vert.x timers refuse.
    return vertx.timer(Math.max(1, pause.toMillis())).compose(ignored -> attempt(message, key, attempt + 1));
  }
}
