package io.imagegen.api.queue;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.UnavailableException;
import io.imagegen.common.json.Json;
import io.imagegen.common.observability.TaskContext;
import io.imagegen.common.observability.TraceHeaders;
import io.imagegen.common.queue.JobMessage;
import io.imagegen.common.queue.KafkaSettings;
import io.imagegen.common.queue.Producers;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Puts job messages on the jobs topic durably (idempotent producer, acks=all) and reports back on a Vert.x future. */
public final class JobProducer implements AutoCloseable {
  /** A job larger than this goes without its task copy: far below Kafka's 1 MiB record limit, and cheap to carry. */
  static final int MAX_CARRIED_BYTES = 64 * 1024;

  private final Vertx vertx;
  private final String topic;
  private final Producer<String, byte[]> producer;
  private final JobPositions positions;

  JobProducer(Vertx vertx, String topic, Producer<String, byte[]> producer, JobPositions positions) {
    this.vertx = vertx;
    this.topic = topic;
    this.producer = producer;
    this.positions = positions;
  }

  /** A producer whose every send either lands on all in-sync replicas or fails within {@code timeout}. */
  public static JobProducer create(Vertx vertx, KafkaSettings settings, Duration timeout, JobPositions positions) {
    Producer<String, byte[]> producer = Producers.durable(settings, "imagegen-api")
        // A short linger batches bursts of submits without adding noticeable latency.
        .with(ProducerConfig.LINGER_MS_CONFIG, 2)
        .within(timeout)
        .create();
    return new JobProducer(vertx, settings.jobsTopic(), producer, positions);
  }

  /**
   * Completes once the broker acknowledged the job; keyed by task id so one task always maps to one partition. The
   * acknowledged place is handed to {@link JobPositions}, so this instance knows it before any tail could.
   */
  public Future<Void> send(JobMessage job) {
    Context context = vertx.getOrCreateContext();
    Promise<Void> promise = Promise.promise();
    byte[] value = Json.toBytes(job);
    if (value.length > MAX_CARRIED_BYTES && job.task() != null) {
      value = Json.toBytes(job.withoutTask());
    }
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, job.taskId(), value);
    // The worker's consume span continues the submit's trace from these headers (docs/operations.md#traces).
    Span span = TraceHeaders.send(TaskContext.currentOrNone(), topic, job.taskId(), record.headers());
    promise.future().onComplete(sent -> TraceHeaders.sent(span, sent.cause()));
    // send() may block for metadata while the broker is away, so it must never run on an event loop.
    context.executeBlocking(() -> producer.send(record, (metadata, error) -> context.runOnContext(ignored -> {
      if (error == null) {
        positions.enqueued(job.taskId(), metadata.partition(), metadata.offset());
        promise.complete();
      } else {
        promise.fail(new UnavailableException(ErrorCode.QUEUE_UNAVAILABLE, "job queue unavailable: " + error.getMessage(),
            error));
      }
    })), false).onFailure(error -> promise.tryFail(
        new UnavailableException(ErrorCode.QUEUE_UNAVAILABLE, "job queue unavailable: " + error.getMessage(), error)));
    return promise.future();
  }

  /** Flushes what is in flight, waiting at most {@code timeout}. */
  public void close(Duration timeout) {
    producer.close(timeout);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}
