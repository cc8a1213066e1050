package io.imagegen.worker.queue;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Jobs that left the handler, handed from the Vert.x context back to the consumer thread, which may wait for the next
 * one. Safe to use from any thread.
 */
final class Completions {
  private final Queue<Completion> completions = new ConcurrentLinkedQueue<>();
  /** Released for every completion (and on stop): what the consumer thread waits on while fetching is paused. */
  private final Semaphore reported = new Semaphore(0);

  /** Hands {@code done} to the consumer thread and wakes it if it waits. */
  void report(Completion done) {
    completions.add(done);
    reported.release();
  }

  /** Wakes the consumer thread if it waits, with nothing to hand over. */
  void wake() {
    reported.release();
  }

  /** The next completion, or null when none is pending. */
  Completion next() {
    return completions.poll();
  }

  /** Waits up to {@code timeout} for a report (or a wake) since the last wait. */
  void await(Duration timeout) {
    try {
      if (reported.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        reported.drainPermits();
      }
    } catch (InterruptedException e) {
      // Nobody interrupts this thread on purpose; the caller's next poll turns it into Kafka's InterruptException.
      Thread.currentThread().interrupt();
    }
  }
}
