package io.imagegen.worker.retention;

import io.imagegen.common.json.Json;
import io.imagegen.common.queue.JobMessage;
import io.imagegen.common.storage.ObjectStore;
import io.imagegen.common.tasks.TaskStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real retention: re-reads the jobs topic in its own consumer group, one retention behind, and sweeps every object of
 * each task whose retention has passed. The group shards the work: each partition is swept by exactly one worker,
 * and its committed offset is the durable "swept up to here". A record not yet due pauses its partition until it is.
 * See docs/architecture.md, "Retention".
 */
public final class RetentionSweeper {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionSweeper.class);
  /** Short enough to notice a paused partition coming due, long enough not to spin. */
  private static final Duration POLL = Duration.ofMillis(500);

  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final TaskSweep sweep;
  private final Duration retention;
  private final Clock clock;
  private final Counter swept;
  private final Map<TopicPartition, Instant> pausedUntil = new HashMap<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private final Thread thread;
  private volatile boolean running = true;

  public RetentionSweeper(Consumer<String, byte[]> consumer, String topic, ObjectStore objects, TaskStore tasks,
      Duration retention, Clock clock, MeterRegistry metrics) {
    this.consumer = consumer;
    this.topic = topic;
    this.sweep = new TaskSweep(objects, tasks, clock);
    this.retention = retention;
    this.clock = clock;
    this.swept = Counter.builder("imagegen.worker.retention.swept")
        .description("Tasks whose objects retention deleted").register(metrics);
    this.thread = new Thread(this::loop, "retention-sweeper");
    this.thread.setDaemon(true);
  }

  /** Starts sweeping on its own thread. */
  public void start() {
    thread.start();
  }

  /** Stops after the sweeps in progress, commits what they finished and leaves the group. */
  public Future<Void> stop() {
    running = false;
    consumer.wakeup();
    return Future.fromCompletionStage(stopped);
  }

  private void loop() {
    try {
      consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
          partitions.forEach(pausedUntil::remove);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        }
      });
      while (running) {
        try {
          resumeDue();
          ConsumerRecords<String, byte[]> records = poll();
          for (TopicPartition partition : records.partitions()) {
            sweepPartition(partition, records.records(partition));
          }
        } catch (WakeupException e) {
          throw e;
        } catch (KafkaException e) {
          // A commit lost to a rebalance: the new owner (maybe us) sweeps those records again, which is harmless.
          LOG.warn("retention sweeper: {}", e.toString());
        }
      }
    } catch (WakeupException e) {
      // stop() asked: fall through to close.
    } catch (RuntimeException e) {
      LOG.error("retention sweeper stopped: {}", e.toString());
    } finally {
      try {
        consumer.close(Duration.ofSeconds(5));
      } finally {
        stopped.complete(null);
      }
    }
  }

  /**
   * Sweeps the due records of one partition concurrently, commits up to the first one not due yet and pauses the
   * partition there until it is.
   */
  private void sweepPartition(TopicPartition partition, List<ConsumerRecord<String, byte[]>> records) {
    Instant now = clock.instant();
    List<ConsumerRecord<String, byte[]>> due = new ArrayList<>();
    ConsumerRecord<String, byte[]> notDue = null;
    for (ConsumerRecord<String, byte[]> record : records) {
      if (Instant.ofEpochMilli(record.timestamp()).plus(retention).isAfter(now)) {
        notDue = record;
        break;
      }
      due.add(record);
    }
    List<Future<Instant>> sweeps = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : due) {
      sweeps.add(sweep(record));
    }
    Future.join(sweeps).await();
    long next = records.get(records.size() - 1).offset() + 1;
    Instant waitUntil = notDue == null ? null : Instant.ofEpochMilli(notDue.timestamp()).plus(retention);
    for (int i = 0; i < due.size(); i++) {
      Future<Instant> outcome = sweeps.get(i);
      if (outcome.failed() || outcome.result() != null) {
        // Not swept (storage trouble) or not expired yet (it finished late): come back to it.
        next = due.get(i).offset();
        waitUntil = outcome.failed() ? now.plusSeconds(5) : outcome.result();
        break;
      }
      swept.increment();
    }
    if (notDue != null && next > notDue.offset()) {
      next = notDue.offset();
    }
    consumer.commitSync(Map.of(partition, new OffsetAndMetadata(next)));
    if (next <= records.get(records.size() - 1).offset()) {
      consumer.seek(partition, next);
      consumer.pause(List.of(partition));
      pausedUntil.put(partition, waitUntil);
    }
  }

  private Future<Instant> sweep(ConsumerRecord<String, byte[]> record) {
    String taskId;
    try {
      taskId = Json.fromBytes(record.value(), JobMessage.class).taskId();
    } catch (RuntimeException e) {
      // The job runner dead-letters unreadable jobs; there is nothing of theirs to sweep.
      return Future.succeededFuture();
    }
    return sweep.sweep(taskId).onFailure(err -> LOG.warn("could not sweep task {}: {}", taskId, err.getMessage()));
  }

  /**
   * Polls; while every assigned partition is paused (nothing due yet, the usual state one retention behind), sleeps
   * until the first comes due, at most {@link #POLL}, and polls without waiting: Kafka 4's consumer-protocol client
   * spins inside a timed poll while all its partitions are paused (docs/architecture.md; measured here: 0.1-0.3 core
   * per worker doing nothing). A zero-timeout poll still keeps the member in the group.
   */
  private ConsumerRecords<String, byte[]> poll() {
    Set<TopicPartition> assigned = consumer.assignment();
    if (assigned.isEmpty() || !consumer.paused().containsAll(assigned)) {
      return consumer.poll(POLL);
    }
    Instant now = clock.instant();
    long untilDue = pausedUntil.values().stream().min(Comparator.naturalOrder())
        .map(first -> Duration.between(now, first).toMillis()).orElse(POLL.toMillis());
    try {
      Thread.sleep(Math.max(0, Math.min(untilDue, POLL.toMillis())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
    return consumer.poll(Duration.ZERO);
  }

  private void resumeDue() {
    Instant now = clock.instant();
    List<TopicPartition> due = new ArrayList<>();
    pausedUntil.forEach((partition, until) -> {
      if (!until.isAfter(now)) {
        due.add(partition);
      }
    });
    due.forEach(pausedUntil::remove);
    if (!due.isEmpty()) {
      consumer.resume(due);
    }
  }
}
