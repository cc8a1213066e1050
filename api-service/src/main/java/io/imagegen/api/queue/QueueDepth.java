package io.imagegen.api.queue;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.UnavailableException;
import io.imagegen.common.queue.KafkaSettings;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Load shedding: how many jobs wait for the workers (end offsets minus the worker group's committed offsets),
 * measured in the background every {@code interval}. Submits are refused while the backlog is above the limit, so
 * an outage of the workers turns into 503s instead of unbounded growth. Each measurement also feeds
 * {@link JobPositions}, the one shared source of queue positions (never an admin call per request).
 */
public final class QueueDepth implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QueueDepth.class);

  private final Vertx vertx;
  private final Admin admin;
  private final String topic;
  private final String groupId;
  private final long maxDepth;
  private final JobPositions positions;
  private final AtomicBoolean measuring = new AtomicBoolean();
  private final long timer;
  private volatile long depth = -1;

  private QueueDepth(Vertx vertx, KafkaSettings settings, String groupId, long maxDepth, Duration interval,
      JobPositions positions) {
    this.vertx = vertx;
    this.positions = positions;
    this.admin = Admin.create(settings.baseClientProperties("imagegen-api-depth"));
    this.topic = settings.jobsTopic();
    this.groupId = groupId;
    this.maxDepth = maxDepth;
    this.timer = vertx.setPeriodic(0, interval.toMillis(), ignored -> measure());
  }

  /** Starts measuring; {@code maxDepth} of 0 disables shedding (queue positions are still measured). */
  public static QueueDepth start(Vertx vertx, KafkaSettings settings, String groupId, long maxDepth,
      Duration interval, JobPositions positions) {
    return new QueueDepth(vertx, settings, groupId, maxDepth, interval, positions);
  }

  /** The last measured backlog, or -1 before the first measurement. */
  public long depth() {
    return depth;
  }

  /** Throws a retryable 503 while the backlog is above the limit. */
  public void admit() {
    if (maxDepth > 0 && depth > maxDepth) {
      throw new UnavailableException(ErrorCode.QUEUE_FULL, "The job queue is full (" + depth + " jobs waiting); try again "
          + "shortly.", null);
    }
  }

  private void measure() {
    if (!measuring.compareAndSet(false, true)) {
      return;
    }
    vertx.executeBlocking(() -> {
      var partitions = admin.describeTopics(java.util.List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS)
          .get(topic).partitions();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
          .get(5, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
          .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
      long total = 0;
      Map<Integer, Long> endOffsets = new HashMap<>();
      Map<Integer, Long> committedOffsets = new HashMap<>();
      for (var end : ends.entrySet()) {
        OffsetAndMetadata done = committed.get(end.getKey());
        total += Math.max(0, end.getValue().offset() - (done == null ? 0 : done.offset()));
        endOffsets.put(end.getKey().partition(), end.getValue().offset());
        if (done != null) {
          committedOffsets.put(end.getKey().partition(), done.offset());
        }
      }
      return new Measurement(System.nanoTime(), total, committedOffsets, endOffsets);
    }, false).onComplete(outcome -> {
      measuring.set(false);
      if (outcome.succeeded()) {
        Measurement measured = outcome.result();
        depth = measured.total();
        positions.observe(measured.nanos(), measured.committed(), measured.ends());
      } else {
        // Keep the last value: a broker hiccup must not flip shedding on or off by itself.
        LOG.debug("queue depth not measured: {}", outcome.cause().getMessage());
      }
    });
  }

  private record Measurement(long nanos, long total, Map<Integer, Long> committed, Map<Integer, Long> ends) {
  }

  @Override
  public void close() {
    vertx.cancelTimer(timer);
    admin.close(Duration.ofSeconds(2));
  }
}
