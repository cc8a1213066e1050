package io.imagegen.common.usage;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.UnavailableException;
import io.imagegen.common.json.Json;
import io.imagegen.common.queue.KafkaSettings;
import io.imagegen.common.queue.Producers;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes usage entries to the ledger topic, keyed by task id, with an idempotent producer and {@code acks=all}: a
 * completed future means the entry is durable; a broker retry never duplicates it, and a repeated publish of the
 * same task only replaces its entry (docs/architecture.md#usage-ledger).
 */
public final class UsageLedger implements AutoCloseable {
  private final Vertx vertx;
  private final String topic;
  private final Producer<String, byte[]> producer;

  UsageLedger(Vertx vertx, String topic, Producer<String, byte[]> producer) {
    this.vertx = vertx;
    this.topic = topic;
    this.producer = producer;
  }

  /** A ledger whose every publish lands on all in-sync replicas or fails within {@code timeout}. */
  public static UsageLedger create(Vertx vertx, KafkaSettings settings, String clientId, Duration timeout) {
    Producer<String, byte[]> producer = Producers.durable(settings, clientId + "-usage")
        // One entry per finished task: nothing to batch, so barely linger.
        .with(ProducerConfig.LINGER_MS_CONFIG, 1)
        .within(timeout)
        .create();
    return new UsageLedger(vertx, settings.usageTopic(), producer);
  }

  /** Completes once the broker acknowledged {@code entry}; fails with a retryable {@code UnavailableException}. */
  public Future<Void> publish(UsageEntry entry) {
    Context context = vertx.getOrCreateContext();
    Promise<Void> promise = Promise.promise();
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, entry.taskId(), Json.toBytes(entry));
    // send() may block for metadata while the broker is away, so it must never run on an event loop.
    context.executeBlocking(() -> producer.send(record, (metadata, error) -> context.runOnContext(ignored -> {
      if (error == null) {
        promise.complete();
      } else {
        promise.fail(unavailable(error));
      }
    })), false).onFailure(error -> promise.tryFail(unavailable(error)));
    return promise.future();
  }

  private static UnavailableException unavailable(Throwable error) {
    return new UnavailableException(ErrorCode.LEDGER_UNAVAILABLE, "usage ledger unavailable: " + error.getMessage(), error);
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
