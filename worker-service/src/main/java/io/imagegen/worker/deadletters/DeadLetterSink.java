package io.imagegen.worker.deadletters;

import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Where a consumer sets aside records it cannot (or must not) process again; done once the stage completes. */
@FunctionalInterface
public interface DeadLetterSink {
  /** Keeps {@code letter} about {@code source} durably; the record's offset may be committed once this completes. */
  CompletionStage<Void> send(ConsumerRecord<String, byte[]> source, DeadLetter letter);
}
