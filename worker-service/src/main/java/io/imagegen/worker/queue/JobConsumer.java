package io.imagegen.worker.queue;

import io.imagegen.common.observability.TraceHeaders;
import io.opentelemetry.context.Scope;
import io.imagegen.common.errors.ImageGenException;
import io.imagegen.common.json.Json;
import io.imagegen.worker.deadletters.DeadLetter;
import io.imagegen.worker.deadletters.DeadLetterSink;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs many jobs at once from one Kafka consumer. The consumer is confined to its own thread; jobs run on a Vert.x
 * context and report back through a queue. Offsets are committed only up to the first unfinished record of each
 * partition, so a crash replays (never skips) unfinished work. At most {@code maxInFlight} jobs run at once; records
 * fetched beyond that wait, in offset order, for a free slot, and while any wait every partition is paused, which
 * keeps the group membership alive without fetching more. A job that cannot run (poison)
 * or whose task failed is handed to the dead-letter sink, and only counts as finished once the sink has it. Jobs
 * are records of type {@code M} keyed by task id: image jobs, and webhook deliveries driven by task events.
 */
public final class JobConsumer<M> {
  /**
   * Where a consumer is in its life; it only moves forward: NEW to RUNNING ({@link #start()}) or to CLOSED (stopped
   * before it started), RUNNING to DRAINING ({@link #stop}) or to CLOSED (its thread died), DRAINING to CLOSED.
   */
  enum State {
    NEW, RUNNING, DRAINING, CLOSED;

    boolean canMoveTo(State next) {
      return switch (this) {
        case NEW -> next == RUNNING || next == CLOSED;
        case RUNNING -> next == DRAINING || next == CLOSED;
        case DRAINING -> next == CLOSED;
        case CLOSED -> false;
      };
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(JobConsumer.class);
  /** Short enough that finished jobs are noticed quickly, long enough not to spin. */
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(50);
  /** Pause before re-running a job whose handler failed outright (a bug or an exhausted dependency). */
  private static final Duration RERUN_DELAY = Duration.ofSeconds(5);

  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final Context context;
  private final Class<M> type;
  private final Function<M, Future<JobOutcome>> handler;
  private final DeadLetterSink deadLetters;
  private final ConsumerMetrics metrics;
  private final int maxInFlight;
  private final Completions completions = new Completions();
  private final WaitingJobs<M> waiting = new WaitingJobs<>();
  private final PartitionOffsets offsets;
  /** Told the partitions owned after every rebalance; set before {@link #start()}, then used by the thread only. */
  private final AssignmentReporter assignments;
  private final ConsumerLifecycle lifecycle;
  private final Thread thread;
  /** Jobs started and not finished. Written by the consumer thread only; volatile for the metrics scrape. */
  private volatile int inFlight;
  /**
   * @param handler runs one job; its future must complete only once the job's effect is durable (or the job was
   *     found to need no work). A future failed with a non-retryable {@link ImageGenException} dead-letters the job
   *     as poison; any other failure makes the job run again later, its record staying uncommitted meanwhile.
   */
  public JobConsumer(Consumer<String, byte[]> consumer, String topic, Context context,
      Class<M> type, Function<M, Future<JobOutcome>> handler, DeadLetterSink deadLetters, int maxInFlight,
      Duration commitInterval, MeterRegistry metrics) {
    this.consumer = consumer;
    this.topic = topic;
    this.context = context;
    this.type = type;
    this.handler = handler;
    this.deadLetters = deadLetters;
    this.metrics = new ConsumerMetrics(metrics, topic, this);
    this.maxInFlight = maxInFlight;
    this.offsets = new PartitionOffsets(consumer, commitInterval);
    this.assignments = new AssignmentReporter(consumer, topic);
    this.lifecycle = new ConsumerLifecycle(topic);
    this.thread = new Thread(this::run, "imagegen-consumer-" + topic);
  }

  /**
   * Has {@code listener} told, on the consumer thread at every rebalance, the partitions of the topic this consumer
   * now owns and how many the topic has: shrinking as partitions are revoked (before their next owner gets them),
   * growing as they are assigned. Call before {@link #start()}.
   */
  public void onAssignment(BiConsumer<Set<Integer>, Integer> listener) {
    if (lifecycle.state() != State.NEW) {
      throw new IllegalStateException("assignment listener set after start");
    }
    assignments.listener(listener);
  }

  /** Starts fetching; a consumer starts once (an {@link IllegalStateException} otherwise). */
  public void start() {
    lifecycle.moveTo(State.NEW, State.RUNNING);
    thread.start();
  }

  int inFlight() {
    return inFlight;
  }

  State state() {
    return lifecycle.state();
  }

  /** Whether jobs are being fetched: running, not draining, and the consumer thread has not died. */
  public boolean consuming() {
    return lifecycle.running() && thread.isAlive();
  }

  /**
   * Stops fetching, lets running jobs finish for up to {@code grace}, commits what is done, closes the Kafka consumer
   * (leaving the group) and only then completes: a process may halt as soon as it does.
   */
  public Future<Void> stop(Duration grace) {
    if (lifecycle.drain(grace)) {
      consumer.wakeup();
      completions.wake();
    } else if (lifecycle.closeUnstarted()) {
      close();
      lifecycle.closed(null);
    }
    return lifecycle.stopped();
  }

  private boolean running() {
    return lifecycle.running();
  }

  private void run() {
    Throwable failure = null;
    try {
      consumer.subscribe(List.of(topic), new Rebalance());
      while (running()) {
        settle();
        try {
          dispatch(poll());
        } catch (WakeupException e) {
          // stop() woke us; the loop condition decides.
        }
      }
      drain();
    } catch (Throwable t) {
      LOG.error("job consumer stopped on an unexpected error", t);
      failure = t;
    }
    close();
    lifecycle.closed(failure);
  }

  private void close() {
    try {
      consumer.close(Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      LOG.warn("closing the consumer failed", e);
    }
  }

  /**
   * Polls for records, or, while every partition is paused, waits for a job to finish and then polls without waiting.
   * Kafka 4's consumer-protocol client spins inside {@code poll(timeout)} while all its partitions are paused (measured:
   * about 0.5 core per worker doing nothing); a zero-timeout poll still runs rebalance callbacks and keeps the member
   * within {@code max.poll.interval.ms}.
   */
  private ConsumerRecords<String, byte[]> poll() {
    if (consumer.paused().isEmpty()) {
      return consumer.poll(POLL_TIMEOUT);
    }
    completions.await(POLL_TIMEOUT);
    return consumer.poll(Duration.ZERO);
  }

  /** Applies finished jobs, commits when due and pauses or resumes fetching to respect {@code maxInFlight}. */
  private void settle() {
    Completion done;
    while ((done = completions.next()) != null) {
      // A tracker replaced by a rebalance means the partition moved on; the old completion must not be committed
      // (nor dead-lettered: the new owner runs the job again and decides for itself).
      boolean current = offsets.current(done);
      if (current && done.letter() != null) {
        deadLetter(done);
        continue;
      }
      inFlight--;
      metrics.slotReleased(done.startedNanos());
      if (current) {
        done.tracker().finished(done.record().offset());
      }
    }
    while (running() && inFlight < maxInFlight && !waiting.isEmpty()) {
      start(waiting.next());
    }
    if (offsets.commitDue()) {
      offsets.commitAll(false);
      metrics.reportLag(consumer, offsets);
    }
    Set<TopicPartition> assigned = consumer.assignment();
    if (!waiting.isEmpty() || !running()) {
      consumer.pause(assigned);
    } else if (!consumer.paused().isEmpty()) {
      consumer.resume(consumer.paused());
    }
  }

  private void dispatch(ConsumerRecords<String, byte[]> records) {
    for (ConsumerRecord<String, byte[]> record : records) {
      TopicPartition partition = new TopicPartition(record.topic(), record.partition());
      OffsetTracker tracker = offsets.started(partition, record.offset());
      Completion slot = new Completion(record, partition, tracker, null, System.nanoTime());
      M job;
      try {
        job = Json.fromBytes(record.value(), type);
      } catch (RuntimeException e) {
        // It will never become readable by retrying: set it aside rather than block the partition.
        LOG.error("job at {}@{} is poison (unreadable); dead-lettering it", partition, record.offset());
        inFlight++;
        completions.report(slot.withLetter(DeadLetter.poison("invalid_job", "The job record cannot be read: "
            + e.getMessage())));
        continue;
      }
      WaitingJobs.Waiting<M> fetched = new WaitingJobs.Waiting<>(slot, job);
      if (inFlight < maxInFlight && waiting.isEmpty()) {
        start(fetched);
      } else {
        waiting.add(fetched);
      }
    }
  }

  /** Takes a slot for {@code fetched}; its slot time starts now. */
  private void start(WaitingJobs.Waiting<M> fetched) {
    inFlight++;
    Completion slot = fetched.slot().started();
    context.runOnContext(ignored -> execute(slot, fetched.job()));
  }

  /**
   * Writes {@code done}'s dead letter; once the broker has it the record counts as finished. Until then it stays in
   * flight and uncommitted, and a failed write is tried again after a pause.
   */
  private void deadLetter(Completion done) {
    deadLetters.send(done.record(), done.letter()).whenComplete((ignored, error) -> {
      if (error == null) {
        metrics.deadLettered(done.letter());
        completions.report(done.withLetter(null));
      } else {
        LOG.warn("could not dead-letter the job for task {} ({}); trying again in {} ms", done.record().key(),
            error.getMessage(), RERUN_DELAY.toMillis());
        context.owner().setTimer(RERUN_DELAY.toMillis(), id -> completions.report(done));
      }
    });
  }

  /**
   * Runs {@code job} on the context. A non-retryable failure means the job can never run: it is dead-lettered as
   * poison. Any other failure (the handler could not make the outcome durable) runs it again after a pause; the
   * record stays in flight and uncommitted meanwhile, so nothing after it is committed past it either.
   */
  private void execute(Completion slot, M job) {
    Future<JobOutcome> result;
    // The record's trace is current while the handler starts, so its first span continues it (docs/operations.md).
    try (Scope trace = TraceHeaders.extract(slot.record().headers()).makeCurrent()) {
      result = handler.apply(job);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(outcome -> {
      if (outcome.succeeded()) {
        completions.report(slot.withLetter(outcome.result().deadLetter()));
      } else if (outcome.cause() instanceof ImageGenException unusable && !unusable.retryable()) {
        LOG.error("job for task {} cannot run ({}); dead-lettering it", slot.record().key(), unusable.getMessage());
        completions.report(slot.withLetter(DeadLetter.poison(unusable.code(), unusable.getMessage())));
      } else if (!running()) {
        LOG.warn("job for task {} failed during shutdown; it stays uncommitted and will be delivered again",
            slot.record().key());
        completions.report(slot.abandoned());
      } else {
        LOG.error("job for task {} failed; running it again in {} ms", slot.record().key(), RERUN_DELAY.toMillis(),
            outcome.cause());
        context.owner().setTimer(RERUN_DELAY.toMillis(), ignored -> execute(slot, job));
      }
    });
  }

  /** Keeps polling (heartbeats, rebalances) with fetching paused until running jobs finish or the grace ends. */
  private void drain() {
    while (inFlight > 0 && lifecycle.drainTimeLeft()) {
      settle();
      try {
        poll();
      } catch (WakeupException e) {
        // Already stopping.
      }
    }
    settle();
    if (inFlight > 0) {
      LOG.warn("{} jobs still running at shutdown; they will be delivered again", inFlight);
    }
    if (!waiting.isEmpty()) {
      LOG.info("{} fetched jobs not started at shutdown; they stay uncommitted for the next owner", waiting.size());
    }
    offsets.commitAll(true);
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // Before settling, which would start waiting jobs in freed slots: none of a partition handed away may start.
      waiting.drop(partitions);
      settle();
      try {
        offsets.commit(partitions, true);
      } catch (RuntimeException e) {
        LOG.warn("commit on revocation failed; the new owner replays from the last commit", e);
      }
      offsets.forget(partitions);
      assignments.without(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      offsets.forget(partitions);
      waiting.drop(partitions);
      assignments.without(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      offsets.forget(partitions);
      assignments.with(partitions);
    }
  }
}
