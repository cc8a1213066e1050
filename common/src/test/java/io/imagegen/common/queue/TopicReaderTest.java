package io.imagegen.common.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class TopicReaderTest {
  private static final TopicPartition P0 = new TopicPartition("events", 0);
  private static final TopicPartition P1 = new TopicPartition("events", 1);

  private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");

  @Test
  void aReaderFromTheBeginningHandsEveryRecordOfEveryPartitionToItsCallbackUntilClosed() {
    consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    TopicReader reader = new TopicReader(consumer, List.of(P0, P1), TopicReader.From.BEGINNING);
    List<String> seen = new CopyOnWriteArrayList<>();
    reader.follow("test-reader", "nothing", records -> records.forEach(r -> seen.add(r.key())));
    consumer.schedulePollTask(() -> {
      consumer.addRecord(record(P0, 0, "a"));
      consumer.addRecord(record(P1, 0, "b"));
    });

    await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
    reader.close();

    assertThat(seen).containsExactlyInAnyOrder("a", "b");
    assertThat(consumer.closed()).isTrue();
  }

  @Test
  void aReaderFromTheEndStartsAfterWhatWasWrittenBeforeItOpened() {
    consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    consumer.updateEndOffsets(Map.of(P0, 3L, P1, 1L));

    TopicReader reader = new TopicReader(consumer, List.of(P0, P1), TopicReader.From.END);

    assertThat(consumer.position(P0)).isEqualTo(3);
    assertThat(consumer.position(P1)).isEqualTo(1);
    assertThat(reader.reached(Map.of(P0, 3L, P1, 1L))).isTrue();
    reader.close();
    assertThat(consumer.closed()).isTrue();
  }

  @Test
  void readToReturnsOnceEveryPartitionIsReadUpToTheGivenEnd() {
    consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    consumer.updateEndOffsets(Map.of(P0, 2L, P1, 0L));
    TopicReader reader = new TopicReader(consumer, List.of(P0, P1), TopicReader.From.BEGINNING);
    consumer.addRecord(record(P0, 0, "a"));
    consumer.addRecord(record(P0, 1, "b"));
    List<String> seen = new CopyOnWriteArrayList<>();

    reader.readTo(reader.endOffsets(Duration.ofSeconds(1)), Duration.ofSeconds(5),
        records -> records.forEach(r -> seen.add(r.key())));

    assertThat(seen).containsExactly("a", "b");
    assertThat(reader.lag()).isZero();
    reader.close();
  }

  @Test
  void readToFailsNamingTheTopicWhenTheEndIsNotReachedInTime() {
    consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    consumer.updateEndOffsets(Map.of(P0, 5L, P1, 0L));
    TopicReader reader = new TopicReader(consumer, List.of(P0, P1), TopicReader.From.BEGINNING);

    assertThatThrownBy(() -> reader.readTo(Map.of(P0, 5L), Duration.ofMillis(300), records -> { }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("could not read events to its end");
    reader.close();
  }

  @Test
  void aReaderWhoseCallbackFailsStopsAndClosesItsConsumer() {
    consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    TopicReader reader = new TopicReader(consumer, List.of(P0, P1), TopicReader.From.BEGINNING);
    consumer.addRecord(record(P0, 0, "a"));

    reader.follow("test-reader", "nothing follows", records -> {
      if (!records.isEmpty()) {
        throw new IllegalStateException("boom");
      }
    });

    await().atMost(Duration.ofSeconds(5)).until(consumer::closed);
    reader.close();
  }

  private static ConsumerRecord<String, byte[]> record(TopicPartition partition, long offset, String key) {
    return new ConsumerRecord<>(partition.topic(), partition.partition(), offset, key,
        key.getBytes(StandardCharsets.UTF_8));
  }
}
