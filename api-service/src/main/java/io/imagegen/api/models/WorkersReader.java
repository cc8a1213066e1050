package io.imagegen.api.models;

import io.imagegen.common.json.Json;
import io.imagegen.common.queue.KafkaSettings;
import io.imagegen.common.queue.Topics;
import io.imagegen.common.queue.WorkerAnnouncement;
import io.vertx.core.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the workers topic from its beginning (all partitions, no consumer group: every API instance needs every
 * announcement) on its own thread and applies each batch to an {@link Availability} on one context, telling it once
 * the end offsets seen at start have been reached.
 */
public final class WorkersReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkersReader.class);

  private final Consumer<String, byte[]> consumer;
  private final Map<TopicPartition, Long> end;
  private final Context context;
  private final Availability availability;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean running = true;

  private WorkersReader(Consumer<String, byte[]> consumer, Map<TopicPartition, Long> end, Context context,
      Availability availability) {
    this.consumer = consumer;
    this.end = end;
    this.context = context;
    this.availability = availability;
    this.thread = new Thread(this::run, "imagegen-workers-topic");
  }

  /** Starts reading into {@code availability}, which {@code context} then owns. Blocking: call it off the loop. */
  public static WorkersReader start(KafkaSettings settings, String clientId, Context context,
      Availability availability) {
    Map<String, Object> props = settings.baseClientProperties(clientId + "-workers");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        new ByteArrayDeserializer());
    // Closes the consumer itself when the topic never shows up.
    List<TopicPartition> partitions = Topics.partitions(consumer, settings.workersTopic());
    try {
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      WorkersReader reader = new WorkersReader(consumer, consumer.endOffsets(partitions, Duration.ofSeconds(30)),
          context, availability);
      reader.thread.start();
      return reader;
    } catch (RuntimeException e) {
      consumer.close(Duration.ZERO);
      throw e;
    }
  }

  private void run() {
    boolean caughtUp = false;
    try {
      while (running) {
        List<Availability.Update> batch = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          try {
            batch.add(new Availability.Update(record.key(), record.value() == null ? null
                : Json.fromBytes(record.value(), WorkerAnnouncement.class)));
          } catch (RuntimeException e) {
            LOG.warn("ignoring unreadable worker announcement at offset {}", record.offset());
          }
        }
        boolean reachedEnd = caughtUp || end.entrySet().stream()
            .allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
        // The end, once reached, is reported even when the batch is empty (an empty topic).
        if (!batch.isEmpty() || reachedEnd != caughtUp) {
          boolean reached = reachedEnd;
          context.runOnContext(ignored -> availability.apply(batch, reached));
        }
        caughtUp = reachedEnd;
      }
    } catch (WakeupException e) {
      // close() woke us.
    } catch (RuntimeException e) {
      LOG.error("workers topic reader stopped; model availability no longer follows the workers", e);
    } finally {
      consumer.close(Duration.ofSeconds(2));
      stopped.countDown();
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      stopped.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
