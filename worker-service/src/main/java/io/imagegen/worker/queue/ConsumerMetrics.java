package io.imagegen.worker.queue;

import io.imagegen.worker.deadletters.DeadLetter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/** The meters of one {@link JobConsumer}: jobs in flight, slot time, consumer lag and dead letters written. */
final class ConsumerMetrics {
  private final MeterRegistry registry;
  private final MultiGauge lag;
  private final Timer slotTime;

  ConsumerMetrics(MeterRegistry registry, String topic, JobConsumer<?> owner) {
    this.registry = registry;
    Gauge.builder("imagegen.worker.jobs.in.flight", owner, JobConsumer::inFlight).tag("topic", topic)
        .description("Jobs this worker has taken from the topic and not finished").register(registry);
    this.lag = MultiGauge.builder("imagegen.worker.consumer.lag")
        .description("Jobs on an assigned partition after the last commit: waiting, in flight, or done behind one "
            + "that is not").register(registry);
    this.slotTime = Timer.builder("imagegen.worker.jobs").tag("topic", topic)
        .description("How long a job held its in-flight slot, from start to finished (dead letter included)")
        .register(registry);
  }

  /** A job that took its slot at {@code startedNanos} has given it back. */
  void slotReleased(long startedNanos) {
    slotTime.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
  }

  /** The broker has {@code letter}. */
  void deadLettered(DeadLetter letter) {
    Counter.builder("imagegen.worker.dead.letters").description("Jobs copied to the dead-letter topic")
        .tag("reason", letter.reason().name().toLowerCase(Locale.ROOT)).tag("code", letter.code())
        .register(registry).increment();
  }

  /** End offset minus commit point, per assigned partition the consumer knows the end of. */
  void reportLag(Consumer<String, byte[]> consumer, PartitionOffsets offsets) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (TopicPartition partition : consumer.assignment()) {
      OptionalLong behind = consumer.currentLag(partition);
      if (behind.isPresent()) {
        rows.add(MultiGauge.Row.of(Tags.of("topic", partition.topic(), "partition",
            Integer.toString(partition.partition())), behind.getAsLong() + offsets.uncommitted(partition)));
      }
    }
    lag.register(rows, true);
  }
}
