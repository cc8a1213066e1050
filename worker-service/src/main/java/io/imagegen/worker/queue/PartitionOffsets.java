package io.imagegen.worker.queue;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offset bookkeeping of one consumer: an {@link OffsetTracker} per partition and the commits of their done
 * prefixes, every {@code commitInterval} or on demand. Confined to the consumer thread.
 */
final class PartitionOffsets {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionOffsets.class);

  private final Consumer<String, byte[]> consumer;
  private final Duration commitInterval;
  private final Map<TopicPartition, OffsetTracker> trackers = new HashMap<>();
  private long lastCommitNanos = System.nanoTime();

  PartitionOffsets(Consumer<String, byte[]> consumer, Duration commitInterval) {
    this.consumer = consumer;
    this.commitInterval = commitInterval;
  }

  /** Tracks {@code offset} of {@code partition} as handed out and returns the partition's tracker. */
  OffsetTracker started(TopicPartition partition, long offset) {
    OffsetTracker tracker = trackers.computeIfAbsent(partition, p -> new OffsetTracker());
    tracker.started(offset);
    return tracker;
  }

  /** Whether {@code done} still belongs to a partition owned since it started (no rebalance replaced its tracker). */
  boolean current(Completion done) {
    return done.tracker() != null && trackers.get(done.partition()) == done.tracker();
  }

  /** Records handed out and not committed on {@code partition}; 0 for a partition not tracked. */
  long uncommitted(TopicPartition partition) {
    OffsetTracker tracker = trackers.get(partition);
    return tracker == null ? 0 : tracker.uncommitted();
  }

  /** Drops the trackers of {@code partitions}: completions begun under them will not be committed. */
  void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(trackers::remove);
  }

  /** Whether the commit interval has passed since the last commit. */
  boolean commitDue() {
    return System.nanoTime() - lastCommitNanos >= commitInterval.toNanos();
  }

  /** Commits the done prefix of every tracked partition. */
  void commitAll(boolean sync) {
    commit(trackers.keySet(), sync);
  }

  /** Commits the done prefix of {@code partitions}; synchronously (throwing on failure) or asynchronously. */
  void commit(Collection<TopicPartition> partitions, boolean sync) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition partition : partitions) {
      OffsetTracker tracker = trackers.get(partition);
      if (tracker != null && tracker.hasNewCommit()) {
        offsets.put(partition, new OffsetAndMetadata(tracker.committable()));
      }
    }
    lastCommitNanos = System.nanoTime();
    if (offsets.isEmpty()) {
      return;
    }
    offsets.forEach((partition, offset) -> trackers.get(partition).markCommitted(offset.offset()));
    if (sync) {
      consumer.commitSync(offsets);
    } else {
      consumer.commitAsync(offsets, (ignored, error) -> {
        if (error != null) {
          // Harmless: a later commit covers the same prefix; worst case some done jobs are replayed and skipped.
          // The callback's own map is null on failure (e.g. a member fenced after a freeze): ours names the offsets.
          LOG.warn("offset commit failed: {}", error.getMessage());
          offsets.keySet().forEach(p -> {
            OffsetTracker t = trackers.get(p);
            if (t != null) {
              t.markCommitted(-1);
            }
          });
        }
      });
    }
  }
}
