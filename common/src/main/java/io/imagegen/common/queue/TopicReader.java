package io.imagegen.common.queue;

import io.imagegen.common.config.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of one topic without a consumer group (each API instance needs every record, and must never
 * take partitions from anyone or commit offsets), from its beginning or its current end, and hands each poll's
 * records to one callback on its own thread until {@link #close()}.
 */
public final class TopicReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TopicReader.class);
  /** Short enough that close() is prompt without a wakeup; a poll returns as soon as records arrive anyway. */
  private static final Duration POLL = Duration.ofMillis(200);

  /** Where reading starts. */
  public enum From { BEGINNING, END }

  /** Takes one poll's records (possibly none) on the reader's thread. */
  @FunctionalInterface
  public interface Batch {
    void accept(ConsumerRecords<String, byte[]> records);
  }

  private final Consumer<String, byte[]> consumer;
  private final List<TopicPartition> partitions;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;
  private Thread thread;

  TopicReader(Consumer<String, byte[]> consumer, List<TopicPartition> partitions, From from) {
    this.consumer = consumer;
    this.partitions = partitions;
    consumer.assign(partitions);
    if (from == From.BEGINNING) {
      consumer.seekToBeginning(partitions);
    } else {
      consumer.seekToEnd(partitions);
    }
    // Resolve the positions now, so that nothing published after open() returns can be missed.
    partitions.forEach(consumer::position);
  }

  /** Assigns every partition of {@code topic} and seeks to {@code from}. Blocking: call it off the event loop. */
  public static TopicReader open(KafkaSettings settings, String clientId, String topic, From from) {
    Map<String, Object> props = settings.baseClientProperties(clientId);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // Only used when a position falls out of the log (retention deleted it): carry on from the same side.
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, from == From.BEGINNING ? "earliest" : "latest");
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        new ByteArrayDeserializer());
    // Closes the consumer itself when the topic never shows up.
    List<TopicPartition> partitions = Topics.partitions(consumer, topic);
    try {
      return new TopicReader(consumer, partitions, from);
    } catch (RuntimeException e) {
      consumer.close(Duration.ZERO);
      throw e;
    }
  }

  /** The topic's end offsets now: what {@link #readTo} and {@link #reached} compare against. Blocking. */
  public Map<TopicPartition, Long> endOffsets(Duration timeout) {
    return consumer.endOffsets(partitions, timeout);
  }

  /** Whether every partition has been read up to {@code end}; on the reader's thread or before {@link #follow}. */
  public boolean reached(Map<TopicPartition, Long> end) {
    return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }

  /** Records not yet read, summed over the partitions, as of the last poll; on the reader's thread. */
  public long lag() {
    long behind = 0;
    for (TopicPartition partition : partitions) {
      behind += consumer.currentLag(partition).orElse(0);
    }
    return behind;
  }

  /**
   * Reads on the caller's thread until {@code end} is reached, so that a reader is complete before it serves anyone;
   * fails when that takes longer than {@code timeout}. Call it before {@link #follow}.
   */
  public void readTo(Map<TopicPartition, Long> end, Duration timeout, Batch batch) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!reached(end)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("could not read " + partitions.get(0).topic() + " to its end within "
            + Durations.format(timeout));
      }
      batch.accept(consumer.poll(POLL));
    }
  }

  /**
   * Starts a thread named {@code name} that polls until {@link #close()}, handing every poll to {@code batch}; when
   * the thread dies of an error it logs {@code consequence}, which tells the operator what stops following the topic.
   */
  public TopicReader follow(String name, String consequence, Batch batch) {
    thread = new Thread(() -> run(consequence, batch), name);
    thread.start();
    return this;
  }

  private void run(String consequence, Batch batch) {
    try {
      while (running) {
        batch.accept(consumer.poll(POLL));
      }
    } catch (WakeupException e) {
      // close() woke us.
    } catch (RuntimeException e) {
      LOG.error("{} stopped; {}", Thread.currentThread().getName(), consequence, e);
    } finally {
      consumer.close(Duration.ofSeconds(2));
      stopped.countDown();
    }
  }

  /** Stops the thread and closes the consumer, waiting up to five seconds for both. */
  @Override
  public void close() {
    running = false;
    if (thread == null) {
      consumer.close(Duration.ZERO);
      return;
    }
    consumer.wakeup();
    try {
      stopped.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
