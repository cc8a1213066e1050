package io.imagegen.worker.queue;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a listener, after every rebalance, the partitions of the topic its consumer owns and how many the topic has.
 * Confined to the consumer thread once the consumer started.
 */
final class AssignmentReporter {
  private static final Logger LOG = LoggerFactory.getLogger(AssignmentReporter.class);

  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private BiConsumer<Set<Integer>, Integer> listener;
  /** The topic's partition count as last seen, for when metadata cannot be had during a rebalance. */
  private int partitionCount;

  AssignmentReporter(Consumer<String, byte[]> consumer, String topic) {
    this.consumer = consumer;
    this.topic = topic;
  }

  void listener(BiConsumer<Set<Integer>, Integer> listener) {
    this.listener = listener;
  }

  /** Reports the current assignment less {@code partitions}, which are being taken away. */
  void without(Collection<TopicPartition> partitions) {
    Set<TopicPartition> owned = new HashSet<>(consumer.assignment());
    owned.removeAll(partitions);
    report(owned);
  }

  /** Reports the current assignment plus {@code partitions}, which are being given. */
  void with(Collection<TopicPartition> partitions) {
    Set<TopicPartition> owned = new HashSet<>(consumer.assignment());
    owned.addAll(partitions);
    report(owned);
  }

  /** Tells the listener, if any, that the consumer now owns {@code owned}. */
  private void report(Set<TopicPartition> owned) {
    if (listener == null) {
      return;
    }
    try {
      List<PartitionInfo> partitions = consumer.partitionsFor(topic);
      if (partitions != null && !partitions.isEmpty()) {
        partitionCount = partitions.size();
      }
    } catch (RuntimeException e) {
      LOG.warn("cannot read the partition count of {} ({}); using the last one seen", topic, e.getMessage());
    }
    Set<Integer> ids = new HashSet<>();
    owned.stream().filter(p -> p.topic().equals(topic)).forEach(p -> ids.add(p.partition()));
    listener.accept(ids, Math.max(partitionCount, ids.stream().mapToInt(i -> i + 1).max().orElse(1)));
  }
}
