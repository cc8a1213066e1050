package io.imagegen.common.queue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the topics the services need if they are missing; blocking, so call it off the event loop. */
public final class Topics {
  private Topics() {
  }

  /** Ensures the jobs, events, dead-letter, usage and workers topics exist; existing topics are left as they are. */
  public static void ensure(KafkaSettings settings, long timeoutMillis) throws InterruptedException, TimeoutException {
    // The ledger keeps the latest entry per task id (compaction) for as long as usage is asked for (deletion):
    // docs/architecture.md#usage-ledger.
    NewTopic usage = new NewTopic(settings.usageTopic(), settings.partitions(), settings.replicationFactor())
        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT + ","
            + TopicConfig.CLEANUP_POLICY_DELETE, TopicConfig.RETENTION_MS_CONFIG,
            Long.toString(settings.usageRetention().toMillis())));
    // One small record per live worker: compaction keeps the latest per worker id, deletion drops the records of
    // workers that died without a tombstone, and short segments let both happen soon (docs/architecture.md).
    NewTopic workers = new NewTopic(settings.workersTopic(), 1, settings.replicationFactor())
        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT + ","
            + TopicConfig.CLEANUP_POLICY_DELETE, TopicConfig.RETENTION_MS_CONFIG,
            Long.toString(Duration.ofHours(1).toMillis()), TopicConfig.SEGMENT_MS_CONFIG,
            Long.toString(Duration.ofMinutes(10).toMillis())));
    try (Admin admin = Admin.create(settings.baseClientProperties("imagegen-admin"))) {
      for (NewTopic topic : List.of(plain(settings, settings.jobsTopic()), plain(settings, settings.eventsTopic()),
          plain(settings, settings.deadLetterTopic()), usage, workers)) {
        try {
          admin.createTopics(List.of(topic)).all().get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create topic " + topic.name() + ": " + e.getCause().getMessage(),
                e.getCause());
          }
        }
      }
    }
  }

  private static NewTopic plain(KafkaSettings settings, String name) {
    return new NewTopic(name, settings.partitions(), settings.replicationFactor());
  }

  /** The topic's partitions; a topic created a moment ago may not be in the metadata yet, so ask until it is. */
  public static List<TopicPartition> partitions(Consumer<?, ?> consumer, String topic) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(5)).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition()))
          .toList();
      if (!partitions.isEmpty()) {
        return partitions;
      }
      if (System.nanoTime() > deadline) {
        consumer.close(Duration.ZERO);
        throw new IllegalStateException("topic " + topic + " has no partitions in the broker metadata");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for topic " + topic, e);
      }
    }
  }
}
