package io.imagegen.worker.queue;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import org.apache.kafka.common.TopicPartition;

/**
 * Fetched, tracked as uncommitted, not started; fetching pauses while any wait, so at most one poll's worth. A freed
 * slot takes the next one at once instead of waiting a fetch round trip. Confined to the consumer thread.
 */
final class WaitingJobs<M> {
  /** A readable job fetched while every slot was taken. */
  record Waiting<M>(Completion slot, M job) {
  }

  private final Deque<Waiting<M>> waiting = new ArrayDeque<>();

  boolean isEmpty() {
    return waiting.isEmpty();
  }

  int size() {
    return waiting.size();
  }

  /** Queues {@code fetched} behind the ones already waiting, keeping offset order. */
  void add(Waiting<M> fetched) {
    waiting.add(fetched);
  }

  /** The longest-waiting job, removed; null when none waits. */
  Waiting<M> next() {
    return waiting.poll();
  }

  /** Forgets fetched records of partitions this worker no longer owns: their new owner runs them. */
  void drop(Collection<TopicPartition> partitions) {
    waiting.removeIf(w -> partitions.contains(w.slot().partition()));
  }
}
