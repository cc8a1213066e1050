package io.imagegen.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imagegen.worker.deadletters.DeadLetter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The consumer loop against Kafka's MockConsumer: what a broker may answer that a real one rarely does on cue. */
class JobConsumerTest {
  private static final String TOPIC = "jobs";
  private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

  /** A job as the consumer reads it. */
  record Job(String taskId) {
  }

  /** Refuses every asynchronous commit the way a fenced member is refused: with no offsets in the callback. */
  private static final class FencedConsumer extends MockConsumer<String, byte[]> {
    volatile int refusedCommits;

    FencedConsumer() {
      super("earliest");
    }

    @Override
    public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
        OffsetCommitCallback callback) {
      if (callback == null) {
        super.commitAsync(offsets, null); // MockConsumer's commitSync comes this way
        return;
      }
      refusedCommits++;
      callback.onComplete(null, new CommitFailedException("fenced"));
    }
  }

  /** Remembers every commit, also of partitions no longer assigned (for which MockConsumer answers nothing). */
  private static final class CommitLog extends MockConsumer<String, byte[]> {
    final Map<TopicPartition, Long> commits = new ConcurrentHashMap<>();

    CommitLog() {
      super("earliest");
    }

    @Override
    public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
        OffsetCommitCallback callback) {
      offsets.forEach((partition, offset) -> commits.put(partition, offset.offset()));
      super.commitAsync(offsets, callback);
    }
  }

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static ConsumerRecord<String, byte[]> record(long offset, String taskId) {
    return new ConsumerRecord<>(TOPIC, 0, offset, taskId,
        ("{\"taskId\":\"" + taskId + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aRefusedAsynchronousCommitLeavesTheConsumerRunningAndTakingJobs() throws Exception {
    FencedConsumer kafka = new FencedConsumer();
    List<String> ran = new CopyOnWriteArrayList<>();
    JobConsumer<Job> consumer = new JobConsumer<>(kafka, TOPIC, vertx.getOrCreateContext(), Job.class, job -> {
      ran.add(job.taskId());
      return Future.succeededFuture(JobOutcome.DONE);
    }, (record, letter) -> CompletableFuture.completedFuture(null), 10, Duration.ZERO, new SimpleMeterRegistry());
    kafka.schedulePollTask(() -> {
      kafka.rebalance(List.of(PARTITION));
      kafka.updateBeginningOffsets(Map.of(PARTITION, 0L));
      kafka.addRecord(record(0, "task-1"));
    });
    consumer.start();

    await().atMost(Duration.ofSeconds(10)).until(() -> kafka.refusedCommits > 0);
    kafka.schedulePollTask(() -> kafka.addRecord(record(1, "task-2")));

    await().atMost(Duration.ofSeconds(10)).until(() -> ran.contains("task-2"));
    assertThat(consumer.consuming()).isTrue();
    consumer.stop(Duration.ofSeconds(1)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void theSlotTimerCoversTheWholeJobIncludingItsDeadLetterOncePerJob() throws Exception {
    MockConsumer<String, byte[]> kafka = new MockConsumer<>("earliest");
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    // The job itself takes 200 ms and its dead letter another 300 ms: the slot is held for both.
    JobConsumer<Job> consumer = new JobConsumer<>(kafka, TOPIC, vertx.getOrCreateContext(), Job.class,
        job -> vertx.timer(200).map(ignored -> JobOutcome.deadLettered(
            DeadLetter.failed("upstream_rejected", "no", 1))),
        (record, letter) -> CompletableFuture.runAsync(() -> { },
            CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS)),
        10, Duration.ZERO, metrics);
    kafka.schedulePollTask(() -> {
      kafka.rebalance(List.of(PARTITION));
      kafka.updateBeginningOffsets(Map.of(PARTITION, 0L));
      kafka.addRecord(record(0, "task-1"));
    });
    consumer.start();

    Timer slots = metrics.get("imagegen.worker.jobs").tag("topic", TOPIC).timer();
    await().atMost(Duration.ofSeconds(10)).until(() -> slots.count() == 1);
    consumer.stop(Duration.ofSeconds(1)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(slots.count()).isEqualTo(1);
    assertThat(slots.totalTime(TimeUnit.MILLISECONDS)).isBetween(500.0, 5_000.0);
  }

  @Test
  void recordsFetchedBeyondTheLimitWaitForAFreeSlotAndRunInOffsetOrder() throws Exception {
    MockConsumer<String, byte[]> kafka = new MockConsumer<>("earliest");
    Map<String, Promise<JobOutcome>> running = new ConcurrentHashMap<>();
    List<String> started = new CopyOnWriteArrayList<>();
    JobConsumer<Job> consumer = new JobConsumer<>(kafka, TOPIC, vertx.getOrCreateContext(), Job.class, job -> {
      Promise<JobOutcome> promise = Promise.promise();
      started.add(job.taskId());
      running.put(job.taskId(), promise);
      return promise.future();
    }, (record, letter) -> CompletableFuture.completedFuture(null), 2, Duration.ZERO, new SimpleMeterRegistry());
    // One poll hands over five records while only two slots exist.
    kafka.schedulePollTask(() -> {
      kafka.rebalance(List.of(PARTITION));
      kafka.updateBeginningOffsets(Map.of(PARTITION, 0L));
      for (int i = 0; i < 5; i++) {
        kafka.addRecord(record(i, "task-" + i));
      }
    });
    consumer.start();

    await().atMost(Duration.ofSeconds(10)).until(() -> started.size() == 2);
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> started.size() == 2);
    assertThat(kafka.paused()).contains(PARTITION);
    for (int next = 2; next < 5; next++) {
      running.get(started.get(0)).complete(JobOutcome.DONE);
      started.remove(0);
      int expected = next;
      await().atMost(Duration.ofSeconds(10)).until(() -> started.contains("task-" + expected));
      assertThat(started).hasSize(2);
    }
    running.values().forEach(p -> p.tryComplete(JobOutcome.DONE));
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      OffsetAndMetadata committed = kafka.committed(Set.of(PARTITION)).get(PARTITION);
      return committed != null && committed.offset() == 5;
    });
    assertThat(kafka.paused()).isEmpty();
    consumer.stop(Duration.ofSeconds(1)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aRevocationWhileJobsWaitStartsNoJobOfTheRevokedPartition() throws Exception {
    CommitLog kafka = new CommitLog();
    Map<String, Promise<JobOutcome>> running = new ConcurrentHashMap<>();
    List<String> started = new CopyOnWriteArrayList<>();
    Context jobs = vertx.getOrCreateContext();
    JobConsumer<Job> consumer = new JobConsumer<>(kafka, TOPIC, jobs, Job.class, job -> {
      Promise<JobOutcome> promise = Promise.promise();
      started.add(job.taskId());
      running.put(job.taskId(), promise);
      return promise.future();
    }, (record, letter) -> CompletableFuture.completedFuture(null), 1, Duration.ZERO, new SimpleMeterRegistry());
    kafka.schedulePollTask(() -> {
      kafka.rebalance(List.of(PARTITION));
      kafka.updateBeginningOffsets(Map.of(PARTITION, 0L));
      kafka.addRecord(record(0, "task-0"));
      kafka.addRecord(record(1, "task-1"));
    });
    consumer.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> started.contains("task-0"));

    // In one poll: the running job finishes (freeing the only slot) and the partition is taken away.
    TopicPartition other = new TopicPartition(TOPIC, 1);
    kafka.schedulePollTask(() -> {
      running.get("task-0").complete(JobOutcome.DONE);
      // The job's completion is reported from its context: once a later task there ran, the report is queued.
      CountDownLatch reported = new CountDownLatch(1);
      jobs.runOnContext(ignored -> reported.countDown());
      try {
        reported.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      kafka.rebalance(List.of(other));
      kafka.updateBeginningOffsets(Map.of(other, 0L));
    });

    // Committed on revocation: the finished job counted, the waiting one left to the partition's next owner.
    await().atMost(Duration.ofSeconds(10)).until(() -> kafka.commits.getOrDefault(PARTITION, -1L) == 1);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !started.contains("task-1"));
    consumer.stop(Duration.ofSeconds(1)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void stopCompletesOnlyAfterTheKafkaConsumerIsClosed() throws Exception {
    AtomicReference<Future<Void>> stopping = new AtomicReference<>();
    CountDownLatch watching = new CountDownLatch(1);
    AtomicBoolean completedBeforeClose = new AtomicBoolean();
    MockConsumer<String, byte[]> kafka = new MockConsumer<>("earliest") {
      @Override
      public void close(Duration timeout) {
        try {
          watching.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        completedBeforeClose.set(stopping.get().isComplete());
        super.close(timeout);
      }
    };
    JobConsumer<Job> consumer = new JobConsumer<>(kafka, TOPIC, vertx.getOrCreateContext(), Job.class,
        job -> Future.succeededFuture(JobOutcome.DONE), (record, letter) -> CompletableFuture.completedFuture(null),
        1, Duration.ZERO, new SimpleMeterRegistry());
    assertThat(consumer.state()).isEqualTo(JobConsumer.State.NEW);
    consumer.start();
    await().atMost(Duration.ofSeconds(10)).until(consumer::consuming);
    assertThat(consumer.state()).isEqualTo(JobConsumer.State.RUNNING);

    stopping.set(consumer.stop(Duration.ofSeconds(1)));
    watching.countDown();
    stopping.get().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(completedBeforeClose).isFalse();
    assertThat(kafka.closed()).isTrue();
    assertThat(consumer.state()).isEqualTo(JobConsumer.State.CLOSED);
    assertThat(consumer.consuming()).isFalse();
  }

  @Test
  void aConsumerStoppedBeforeItStartedClosesKafkaAndCannotStartAnymore() throws Exception {
    MockConsumer<String, byte[]> kafka = new MockConsumer<>("earliest");
    JobConsumer<Job> consumer = new JobConsumer<>(kafka, TOPIC, vertx.getOrCreateContext(), Job.class,
        job -> Future.succeededFuture(JobOutcome.DONE), (record, letter) -> CompletableFuture.completedFuture(null),
        1, Duration.ZERO, new SimpleMeterRegistry());

    consumer.stop(Duration.ofSeconds(1)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(kafka.closed()).isTrue();
    assertThat(consumer.state()).isEqualTo(JobConsumer.State.CLOSED);
    assertThatThrownBy(consumer::start).isInstanceOf(IllegalStateException.class);
  }
}
