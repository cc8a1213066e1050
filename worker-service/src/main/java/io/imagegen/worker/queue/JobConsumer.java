package io.imagegen.worker.queue;

import io.imagegen.common.json.Json;
import io.imagegen.common.queue.JobMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs many jobs at once from one Kafka consumer. The consumer is confined to its own thread; jobs run on a Vert.x
 * context and report back through a queue. Offsets are committed only up to the first unfinished record of each
 * partition, so a crash replays (never skips) unfinished work. When {@code maxInFlight} jobs are running every
 * partition is paused, which keeps the group membership alive without fetching more.
 */
public final class JobConsumer {
  private static final Logger LOG = LoggerFactory.getLogger(JobConsumer.class);
  /** Short enough that finished jobs are noticed quickly, long enough not to spin. */
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(50);
  /** Pause before re-running a job whose handler failed outright (a bug or an exhausted dependency). */
  private static final Duration RERUN_DELAY = Duration.ofSeconds(5);

  private record Completion(TopicPartition partition, OffsetTracker tracker, long offset) {
  }

  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final Context context;
  private final Function<JobMessage, Future<Void>> handler;
  private final int maxInFlight;
  private final Duration commitInterval;
  private final Queue<Completion> completions = new ConcurrentLinkedQueue<>();
  private final Map<TopicPartition, OffsetTracker> trackers = new HashMap<>();
  private final Promise<Void> stopped = Promise.promise();
  private final Thread thread;
  private volatile boolean stopping;
  private volatile long drainDeadlineNanos;
  private int inFlight;
  private long lastCommitNanos = System.nanoTime();

  /**
   * @param handler runs one job; its future must complete only once the job's effect is durable (or the job was
   *     found to need no work). A failed future makes the job run again later; its record stays uncommitted.
   */
  public JobConsumer(Consumer<String, byte[]> consumer, String topic, Context context,
      Function<JobMessage, Future<Void>> handler, int maxInFlight, Duration commitInterval) {
    this.consumer = consumer;
    this.topic = topic;
    this.context = context;
    this.handler = handler;
    this.maxInFlight = maxInFlight;
    this.commitInterval = commitInterval;
    this.thread = new Thread(this::run, "imagegen-job-consumer");
  }

  public void start() {
    thread.start();
  }

  /** Stops fetching, lets running jobs finish for up to {@code grace}, commits what is done and closes. */
  public Future<Void> stop(Duration grace) {
    drainDeadlineNanos = System.nanoTime() + grace.toNanos();
    stopping = true;
    consumer.wakeup();
    return stopped.future();
  }

  private void run() {
    try {
      consumer.subscribe(List.of(topic), new Rebalance());
      while (!stopping) {
        settle();
        try {
          dispatch(consumer.poll(POLL_TIMEOUT));
        } catch (WakeupException e) {
          // stop() woke us; the loop condition decides.
        }
      }
      drain();
      stopped.complete();
    } catch (Throwable t) {
      LOG.error("job consumer stopped on an unexpected error", t);
      stopped.tryFail(t);
    } finally {
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.warn("closing the consumer failed", e);
      }
    }
  }

  /** Applies finished jobs, commits when due and pauses or resumes fetching to respect {@code maxInFlight}. */
  private void settle() {
    Completion done;
    while ((done = completions.poll()) != null) {
      inFlight--;
      // A tracker replaced by a rebalance means the partition moved on; the old completion must not be committed.
      if (done.tracker() != null && trackers.get(done.partition()) == done.tracker()) {
        done.tracker().finished(done.offset());
      }
    }
    if (System.nanoTime() - lastCommitNanos >= commitInterval.toNanos()) {
      commit(trackers.keySet(), false);
    }
    Set<TopicPartition> assigned = consumer.assignment();
    if (inFlight >= maxInFlight || stopping) {
      consumer.pause(assigned);
    } else if (!consumer.paused().isEmpty()) {
      consumer.resume(consumer.paused());
    }
  }

  private void dispatch(ConsumerRecords<String, byte[]> records) {
    for (ConsumerRecord<String, byte[]> record : records) {
      TopicPartition partition = new TopicPartition(record.topic(), record.partition());
      OffsetTracker tracker = trackers.computeIfAbsent(partition, p -> new OffsetTracker());
      tracker.started(record.offset());
      inFlight++;
      JobMessage job;
      try {
        job = Json.fromBytes(record.value(), JobMessage.class);
      } catch (RuntimeException e) {
        // A record nobody can read will never become readable: skip it rather than block the partition.
        LOG.error("skipping unreadable job at {}@{}", partition, record.offset(), e);
        completions.add(new Completion(partition, tracker, record.offset()));
        continue;
      }
      long offset = record.offset();
      context.runOnContext(ignored -> execute(new Completion(partition, tracker, offset), job));
    }
  }

  /**
   * Runs {@code job} on the context. A failure (the handler could not make the outcome durable) runs it again after a
   * pause; the record stays in flight and uncommitted meanwhile, so nothing after it is committed past it either.
   */
  private void execute(Completion slot, JobMessage job) {
    Future<Void> result;
    try {
      result = handler.apply(job);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(outcome -> {
      if (outcome.succeeded()) {
        completions.add(slot);
      } else if (stopping) {
        LOG.warn("job for task {} failed during shutdown; it stays uncommitted and will be delivered again",
            job.taskId());
        completions.add(new Completion(slot.partition(), null, slot.offset()));
      } else {
        LOG.error("job for task {} failed; running it again in {} ms", job.taskId(), RERUN_DELAY.toMillis(),
            outcome.cause());
        context.owner().setTimer(RERUN_DELAY.toMillis(), ignored -> execute(slot, job));
      }
    });
  }

  /** Keeps polling (heartbeats, rebalances) with fetching paused until running jobs finish or the grace ends. */
  private void drain() {
    while (inFlight > 0 && System.nanoTime() < drainDeadlineNanos) {
      settle();
      try {
        consumer.poll(POLL_TIMEOUT);
      } catch (WakeupException e) {
        // Already stopping.
      }
    }
    settle();
    if (inFlight > 0) {
      LOG.warn("{} jobs still running at shutdown; they will be delivered again", inFlight);
    }
    commit(trackers.keySet(), true);
  }

  private void commit(Collection<TopicPartition> partitions, boolean sync) {
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
      consumer.commitAsync(offsets, (committed, error) -> {
        if (error != null) {
          // Harmless: a later commit covers the same prefix; worst case some done jobs are replayed and skipped.
          LOG.warn("offset commit failed: {}", error.getMessage());
          committed.keySet().forEach(p -> {
            OffsetTracker t = trackers.get(p);
            if (t != null) {
              t.markCommitted(-1);
            }
          });
        }
      });
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      settle();
      try {
        commit(partitions, true);
      } catch (RuntimeException e) {
        LOG.warn("commit on revocation failed; the new owner replays from the last commit", e);
      }
      partitions.forEach(trackers::remove);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      partitions.forEach(trackers::remove);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      Set<TopicPartition> fresh = new HashSet<>(partitions);
      fresh.forEach(trackers::remove);
    }
  }
}
