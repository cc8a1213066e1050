package io.imagegen.api.usage;

import io.imagegen.common.json.Json;
import io.imagegen.common.queue.KafkaSettings;
import io.imagegen.common.queue.Topics;
import io.imagegen.common.usage.UsageEntry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * Reads the whole usage topic from its beginning (all partitions, no consumer group: every API instance needs every
 * entry) into a {@link UsageAggregate}, on its own thread, and keeps reading new entries as they come.
 */
final class LedgerReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerReader.class);

  private final Consumer<String, byte[]> consumer;
  private final List<TopicPartition> partitions;
  private final UsageAggregate aggregate;
  private final AtomicLong lag = new AtomicLong();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean running = true;

  private LedgerReader(Consumer<String, byte[]> consumer, List<TopicPartition> partitions,
      UsageAggregate aggregate) {
    this.consumer = consumer;
    this.partitions = partitions;
    this.aggregate = aggregate;
    this.thread = new Thread(this::run, "imagegen-usage-ledger");
  }

  /**
   * Reads the topic up to its current end before returning, so that budgets are right from the first request, then
   * follows it. Blocking: call it off the event loop.
   */
  static LedgerReader start(KafkaSettings settings, String clientId, UsageAggregate aggregate, Duration timeout) {
    Map<String, Object> props = settings.baseClientProperties(clientId + "-usage");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        new ByteArrayDeserializer());
    // Closes the consumer itself when the topic never shows up.
    List<TopicPartition> partitions = Topics.partitions(consumer, settings.usageTopic());
    try {
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      LedgerReader reader = new LedgerReader(consumer, partitions, aggregate);
      long deadline = System.nanoTime() + timeout.toNanos();
      long read = 0;
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey(), timeout) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read the usage ledger within " + timeout);
        }
        read += reader.applyAll(consumer.poll(Duration.ofMillis(200)));
      }
      LOG.info("usage ledger read: {} entries, {} tasks", read, aggregate.size());
      reader.thread.start();
      return reader;
    } catch (RuntimeException e) {
      consumer.close(Duration.ZERO);
      throw e;
    }
  }

  /** Entries written but not yet read here, as last measured. */
  long lag() {
    return lag.get();
  }

  private void run() {
    try {
      while (running) {
        applyAll(consumer.poll(Duration.ofMillis(200)));
        long behind = 0;
        for (TopicPartition partition : partitions) {
          behind += consumer.currentLag(partition).orElse(0);
        }
        lag.set(behind);
      }
    } catch (WakeupException e) {
      // close() woke us.
    } catch (RuntimeException e) {
      LOG.error("usage ledger reader stopped; usage answers and budgets no longer follow the ledger", e);
    } finally {
      consumer.close(Duration.ofSeconds(2));
      stopped.countDown();
    }
  }

  private int applyAll(Iterable<ConsumerRecord<String, byte[]>> records) {
    int applied = 0;
    for (ConsumerRecord<String, byte[]> record : records) {
      if (record.value() == null) {
        continue;
      }
      try {
        aggregate.apply(Json.fromBytes(record.value(), UsageEntry.class));
        applied++;
      } catch (RuntimeException e) {
        LOG.warn("ignoring unreadable usage entry at offset {} of {}", record.offset(), record.partition());
      }
    }
    return applied;
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
