package io.imagegen.worker.deadletters;

import io.imagegen.common.queue.KafkaSettings;
import io.imagegen.common.queue.Producers;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Copies job records to the dead-letter topic. A send completes only once every in-sync replica has the record, so
 * the consumer may commit the job's offset after it: a dead letter is never lost, at worst written twice.
 */
public final class DeadLetterPublisher implements DeadLetterSink, AutoCloseable {
  private final Producer<String, byte[]> producer;
  private final String topic;
  private final Clock clock;

  DeadLetterPublisher(Producer<String, byte[]> producer, String topic, Clock clock) {
    this.producer = producer;
    this.topic = topic;
    this.clock = clock;
  }

  public static DeadLetterPublisher create(KafkaSettings settings, String clientId) {
    Producer<String, byte[]> producer = Producers.durable(settings, clientId + "-dlq")
        // Sends happen on the consumer's thread: a broker outage must not stall polling (and group membership)
        // for long. Delivery keeps Kafka's default: a dead letter may take its time once it is handed over.
        .with(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000)
        .create();
    return new DeadLetterPublisher(producer, settings.deadLetterTopic(), Clock.systemUTC());
  }

  /** Writes a copy of {@code source} with {@code letter}'s headers; completes when the broker acknowledged it. */
  @Override
  public CompletableFuture<Void> send(ConsumerRecord<String, byte[]> source, DeadLetter letter) {
    CompletableFuture<Void> acked = new CompletableFuture<>();
    try {
      producer.send(new ProducerRecord<>(topic, null, source.key(), source.value(),
          letter.headers(source, clock.millis())), (metadata, error) -> {
            if (error == null) {
              acked.complete(null);
            } else {
              acked.completeExceptionally(error);
            }
          });
    } catch (RuntimeException e) {
      acked.completeExceptionally(e);
    }
    return acked;
  }

  public void close(Duration timeout) {
    producer.close(timeout);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}
