package io.imagegen.worker.queue;

import io.imagegen.worker.deadletters.DeadLetter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/** A job that left the handler; {@code letter} still has to be written before its record counts as finished. */
record Completion(ConsumerRecord<String, byte[]> record, TopicPartition partition, OffsetTracker tracker,
    DeadLetter letter, long startedNanos) {
  Completion started() {
    return new Completion(record, partition, tracker, letter, System.nanoTime());
  }

  Completion withLetter(DeadLetter deadLetter) {
    return new Completion(record, partition, tracker, deadLetter, startedNanos);
  }

  Completion abandoned() {
    return new Completion(record, partition, null, null, startedNanos);
  }
}
