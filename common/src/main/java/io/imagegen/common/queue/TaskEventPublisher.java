package io.imagegen.common.queue;

import io.imagegen.common.json.Json;
import io.imagegen.common.observability.TaskContext;
import io.imagegen.common.observability.TraceHeaders;
import io.imagegen.common.tasks.Task;
import io.opentelemetry.api.trace.Span;
import java.time.Clock;
import java.time.Duration;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces task state changes on the events topic, fire-and-forget: the change is already durable in the task
 * store before it is announced, and listeners fall back to re-reading the store, so a failed send only delays them.
 */
public final class TaskEventPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TaskEventPublisher.class);

  private final Producer<String, byte[]> producer;
  private final String topic;
  private final Clock clock;

  TaskEventPublisher(Producer<String, byte[]> producer, String topic, Clock clock) {
    this.producer = producer;
    this.topic = topic;
    this.clock = clock;
  }

  public static TaskEventPublisher create(KafkaSettings settings, String clientId) {
    Producer<String, byte[]> producer = Producers.bestEffort(settings, clientId + "-events")
        .with(ProducerConfig.LINGER_MS_CONFIG, 1)
        // Never stall a caller for long: a notification that cannot go out soon is worthless anyway.
        .with(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000)
        .with(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000)
        .with(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5000)
        .create();
    return new TaskEventPublisher(producer, settings.eventsTopic(), Clock.systemUTC());
  }

  /** Announces {@code task}'s current status; never throws. May block briefly for metadata: call off the loop. */
  public void publish(Task task) {
    TaskEvent event = TaskEvent.of(task, clock.millis());
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, task.id(), Json.toBytes(event));
    // The task's trace goes on to whoever reacts to the event (a webhook delivery: docs/operations.md#traces).
    Span span = TraceHeaders.send(TaskContext.currentOrNone(), topic, task.id(), record.headers());
    try {
      producer.send(record, (metadata, error) -> {
        TraceHeaders.sent(span, error);
        if (error != null) {
          LOG.warn("could not announce task {} {}: {}", task.id(), task.status(), error.getMessage());
        }
      });
    } catch (RuntimeException e) {
      TraceHeaders.sent(span, e);
      LOG.warn("could not announce task {} {}: {}", task.id(), task.status(), e.getMessage());
    }
  }

  public void close(Duration timeout) {
    producer.close(timeout);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}
