package io.imagegen.worker.queue;

import io.imagegen.worker.queue.JobConsumer.State;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where one {@link JobConsumer} is in its life ({@link State}), how long its drain may last, and the future that
 * completes once it is closed. Safe to use from any thread.
 */
final class ConsumerLifecycle {
  private final String topic;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final Promise<Void> stopped = Promise.promise();
  private volatile long drainDeadlineNanos;

  ConsumerLifecycle(String topic) {
    this.topic = topic;
  }

  State state() {
    return state.get();
  }

  boolean running() {
    return state.get() == State.RUNNING;
  }

  /** Moves {@code from} to {@code to}, or throws an {@link IllegalStateException} if not in {@code from}. */
  void moveTo(State from, State to) {
    if (!from.canMoveTo(to) || !state.compareAndSet(from, to)) {
      throw new IllegalStateException("job consumer of " + topic + " is " + state.get() + ", cannot become " + to);
    }
  }

  /** Starts a drain of up to {@code grace}; true if it was running (and now drains), false otherwise. */
  boolean drain(Duration grace) {
    drainDeadlineNanos = System.nanoTime() + grace.toNanos();
    return state.compareAndSet(State.RUNNING, State.DRAINING);
  }

  /** Closes a consumer that never started; true if it had not. */
  boolean closeUnstarted() {
    return state.compareAndSet(State.NEW, State.CLOSED);
  }

  /** Whether the drain's grace has not run out yet. */
  boolean drainTimeLeft() {
    return System.nanoTime() < drainDeadlineNanos;
  }

  /** Marks the consumer closed, completing {@link #stopped()} (failed with {@code failure} if not null). */
  void closed(Throwable failure) {
    state.set(State.CLOSED);
    if (failure == null) {
      stopped.tryComplete();
    } else {
      stopped.tryFail(failure);
    }
  }

  /** Completes once the consumer is closed. */
  Future<Void> stopped() {
    return stopped.future();
  }
}
