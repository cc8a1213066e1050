package io.imagegen.worker.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagegen.common.json.Json;
import io.imagegen.common.queue.JobMessage;
import io.imagegen.common.storage.InMemoryObjectStore;
import io.imagegen.common.tasks.S3TaskStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** The sweeper's consumer loop: what it does while nothing is due yet. */
class RetentionSweeperTest {
  private static final TopicPartition P0 = new TopicPartition("jobs", 0);
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  /** Counts timed and zero-timeout polls made after the partition was paused. */
  private static final class CountingConsumer extends MockConsumer<String, byte[]> {
    final AtomicInteger timedWhilePaused = new AtomicInteger();
    final AtomicInteger zeroWhilePaused = new AtomicInteger();

    CountingConsumer() {
      super("earliest");
    }

    @Override
    public synchronized ConsumerRecords<String, byte[]> poll(Duration timeout) {
      if (!paused().isEmpty()) {
        (timeout.isZero() ? zeroWhilePaused : timedWhilePaused).incrementAndGet();
      }
      return super.poll(timeout);
    }
  }

  @Test
  void aSweeperWhoseRecordsAreAllNotDueYetWaitsInsteadOfPollingWithATimeout() throws Exception {
    CountingConsumer consumer = new CountingConsumer();
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    byte[] job = Json.toBytes(new JobMessage(1, "image_6b1736dad89911554eb4b7d4", "demo", NOW.toEpochMilli(), null,
        null));
    consumer.schedulePollTask(() -> {
      consumer.rebalance(List.of(P0));
      consumer.addRecord(new ConsumerRecord<>("jobs", 0, 0, NOW.toEpochMilli(), TimestampType.CREATE_TIME, 0, 0,
          "image_6b1736dad89911554eb4b7d4", job, new RecordHeaders(), Optional.empty()));
    });
    InMemoryObjectStore objects = new InMemoryObjectStore();
    RetentionSweeper sweeper = new RetentionSweeper(consumer, "jobs", objects, new S3TaskStore(objects),
        Duration.ofHours(24), Clock.fixed(NOW, ZoneOffset.UTC), new SimpleMeterRegistry());

    sweeper.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> consumer.zeroWhilePaused.get() >= 3);
    long committed = consumer.committed(Set.of(P0)).get(P0).offset();
    sweeper.stop().toCompletionStage().toCompletableFuture().get();

    assertThat(consumer.timedWhilePaused.get()).isZero();
    assertThat(committed).as("the record not due yet stays uncommitted").isZero();
    assertThat(objects.keys()).isEmpty();
  }
}
