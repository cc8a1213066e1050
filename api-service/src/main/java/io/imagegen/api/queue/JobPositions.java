package io.imagegen.api.queue;

import io.imagegen.common.queue.KafkaSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each unfinished job sits in the jobs topic and how fast the worker group gets through its partition, so a
 * QUEUED task can say how many jobs are ahead of it and when it should be done. A job's place comes from this
 * instance's produce acknowledgement, or, for jobs other API instances submitted, from tailing the jobs topic from
 * the group's committed offsets (keys only); progress comes from {@link QueueDepth}'s once-a-second measurement.
 * Nothing is written anywhere. See docs/api.md "Where a task stands".
 */
public final class JobPositions implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobPositions.class);
  /** Memory bound (~200 bytes an entry); beyond it newer jobs go without a position until the backlog shrinks. */
  static final int MAX_TRACKED = 200_000;

  /** How many jobs are ahead of a task in its partition, and the expected seconds until it is done, if measurable. */
  public record Standing(long position, Long etaSeconds) {
  }

  private record Position(int partition, long offset) {
  }

  /** What requests read: the latest committed offsets and rates, replaced whole after each measurement. */
  private record Snapshot(Map<Integer, Long> committed, Map<Integer, Double> rates, double averageRate) {
    static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), 0);
  }

  private final Map<String, Position> byTask = new ConcurrentHashMap<>();
  private final Map<Integer, ConcurrentSkipListMap<Long, String>> byPartition = new ConcurrentHashMap<>();
  private final GroupProgress progress = new GroupProgress();
  private final BlockingQueue<Map<Integer, Long>> tailStart = new ArrayBlockingQueue<>(1);
  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final Thread tail;
  private volatile Snapshot snapshot = Snapshot.EMPTY;
  private volatile boolean running = true;

  JobPositions(Consumer<String, byte[]> consumer, String topic) {
    this.consumer = consumer;
    this.topic = topic;
    this.tail = new Thread(this::tail, "imagegen-job-positions");
  }

  /** Starts the tail; it begins reading once the first measurement names the group's committed offsets. */
  public static JobPositions start(KafkaSettings settings) {
    Map<String, Object> props = settings.baseClientProperties("imagegen-api-positions");
    // No group: this reader must never commit offsets or take partitions from the workers.
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    JobPositions positions = new JobPositions(new KafkaConsumer<>(props, new StringDeserializer(),
        new ByteArrayDeserializer()), settings.jobsTopic());
    positions.tail.start();
    return positions;
  }

  /** Records that the job of {@code taskId} was written at {@code offset} of {@code partition}. */
  void enqueued(String taskId, int partition, long offset) {
    Long committed = snapshot.committed().get(partition);
    if ((committed != null && offset < committed) || byTask.size() >= MAX_TRACKED) {
      return;
    }
    byTask.put(taskId, new Position(partition, offset));
    byPartition.computeIfAbsent(partition, p -> new ConcurrentSkipListMap<>()).put(offset, taskId);
  }

  /** One measurement of the group: committed and end offsets per partition, taken at {@code nanos}. */
  void observe(long nanos, Map<Integer, Long> committed, Map<Integer, Long> ends) {
    progress.add(nanos, committed, ends);
    Map<Integer, Long> current = new HashMap<>();
    Map<Integer, Double> rates = new HashMap<>();
    for (int partition : ends.keySet()) {
      current.put(partition, progress.committed(partition));
      rates.put(partition, progress.rate(partition));
    }
    snapshot = new Snapshot(Map.copyOf(current), Map.copyOf(rates), progress.averageRate());
    // Finished jobs leave the index: everything below a partition's committed offset is done.
    current.forEach((partition, done) -> {
      ConcurrentSkipListMap<Long, String> offsets = byPartition.get(partition);
      if (offsets != null) {
        var finished = offsets.headMap(done);
        finished.values().forEach(byTask::remove);
        finished.clear();
      }
    });
    tailStart.offer(current);
  }

  /** Where the job of {@code taskId} stands, or empty when this instance does not know its place (yet). */
  public Optional<Standing> standing(String taskId) {
    Position position = byTask.get(taskId);
    Snapshot now = snapshot;
    Long committed = position == null ? null : now.committed().get(position.partition());
    if (committed == null) {
      return Optional.empty();
    }
    long ahead = Math.max(0, position.offset() - committed);
    double rate = now.rates().getOrDefault(position.partition(), 0.0);
    double pace = rate > 0 ? rate : now.averageRate();
    // The task itself must finish too, hence ahead + 1.
    Long eta = pace > 0 ? (long) Math.ceil((ahead + 1) / pace) : null;
    return Optional.of(new Standing(ahead, eta));
  }

  private void tail() {
    try {
      Map<Integer, Long> start = null;
      while (running && start == null) {
        start = tailStart.poll(200, TimeUnit.MILLISECONDS);
      }
      if (start == null) {
        return;
      }
      List<TopicPartition> partitions = start.keySet().stream().map(p -> new TopicPartition(topic, p)).toList();
      consumer.assign(partitions);
      start.forEach((partition, offset) -> consumer.seek(new TopicPartition(topic, partition), offset));
      while (running) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.key() != null) {
            enqueued(record.key(), record.partition(), record.offset());
          }
        }
      }
    } catch (WakeupException e) {
      // close() woke us.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("job position tail stopped; only jobs this instance submits get a queue position: {}",
          e.getMessage());
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      tail.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
