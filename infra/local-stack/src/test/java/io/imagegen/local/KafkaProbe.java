package io.imagegen.local;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** What tests do to a running broker directly: write raw records, read a topic, watch the workers' commits. */
final class KafkaProbe {
  private final String bootstrapServers;

  KafkaProbe(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
  }

  /** Writes one record and returns where it landed. */
  RecordMetadata produce(String topic, String key, byte[] value) throws Exception {
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), new StringSerializer(),
        new ByteArraySerializer())) {
      return producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    }
  }

  /** Waits until the worker group committed beyond {@code record}: the worker has handled it for good. */
  void awaitCommittedPast(RecordMetadata record) {
    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
        OffsetAndMetadata committed = admin.listConsumerGroupOffsets("imagegen-workers")
            .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS).get(partition);
        return committed != null && committed.offset() > record.offset();
      });
    }
  }

  /** Every record now in {@code topic} whose key is {@code key}, oldest first per partition. */
  List<ConsumerRecord<String, byte[]>> records(String topic, String key) {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map(info -> new TopicPartition(topic, info.partition()))
          .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        consumer.poll(Duration.ofMillis(200)).forEach(record -> {
          if (key.equals(record.key())) {
            found.add(record);
          }
        });
      }
      return found;
    }
  }

  /** The first record with {@code key} in {@code topic}, waiting for it to appear. */
  ConsumerRecord<String, byte[]> awaitRecord(String topic, String key) {
    return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> records(topic, key).stream().findFirst(), Optional::isPresent).orElseThrow();
  }
}
