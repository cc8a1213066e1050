package io.imagegen.worker.tasks;

import io.imagegen.worker.observability.WorkerTracing;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.semconv.incubating.RpcIncubatingAttributes;
import io.imagegen.common.errors.UnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries an operation on our own storage for as long as the storage says it is unavailable; other errors pass. Times
 * each operation, retries included, by name: the part of a job's slot that is not the model.
 */
final class StorageRetry {
  private static final Logger LOG = LoggerFactory.getLogger(StorageRetry.class);

  private final Vertx vertx;
  private final MeterRegistry metrics;

  StorageRetry(Vertx vertx, MeterRegistry metrics) {
    this.vertx = vertx;
    this.metrics = metrics;
  }

  /** Runs {@code operation} until storage is available; {@code name} tags its timer (e.g. {@code task_read}). */
  <T> Future<T> run(String name, Supplier<Future<T>> operation) {
    long started = System.nanoTime();
    // Spans per operation (docs/operations.md#traces): the S3 reads and writes of the task's trace.
    return WorkerTracing.around("s3 " + name, SpanKind.CLIENT, Attributes.of(RpcIncubatingAttributes.RPC_SYSTEM,
        "aws-api", RpcIncubatingAttributes.RPC_SERVICE, "S3"), run(operation, 1)).andThen(done -> Timer.builder("imagegen.worker.storage.calls")
        .description("Task and image storage operations of jobs, retries included")
        .tag("operation", name).tag("outcome", done.succeeded() ? "success" : "failure")
        .register(metrics).record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
  }

  private <T> Future<T> run(Supplier<Future<T>> operation, int attempt) {
    return operation.get().recover(err -> {
      if (!(err instanceof UnavailableException)) {
        return Future.failedFuture(err);
      }
      Duration pause = RetryPolicy.OWN_STORAGE.delayAfter(attempt);
      LOG.warn("storage unavailable ({}); retrying in {} ms", err.getMessage(), pause.toMillis());
      return vertx.timer(Math.max(1, pause.toMillis())).compose(ignored -> run(operation, attempt + 1));
    });
  }
}
