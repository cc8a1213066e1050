package io.imagegen.worker.upstream;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeoutException;

/**
 * A counting semaphore whose waiters hold no thread: each waits on a future, first come first served, for at most
 * its own time limit. Its size may change while in use (see {@link #resize}). Thread-safe.
 */
final class AsyncSemaphore {
  private static final class Waiter {
    final Promise<Void> granted = Promise.promise();
    long timer;
  }

  private final Vertx vertx;
  private int permits;
  private final Deque<Waiter> waiters = new ArrayDeque<>();
  private int used;

  AsyncSemaphore(Vertx vertx, int permits) {
    this.vertx = vertx;
    this.permits = permits;
  }

  /** Completes once a permit is ours; fails with {@link TimeoutException} if none came within {@code millis}. */
  Future<Void> acquire(long millis) {
    Waiter waiter;
    synchronized (this) {
      // Nobody overtakes the queue, so a steady stream of newcomers cannot starve an early waiter.
      if (used < permits && waiters.isEmpty()) {
        used++;
        return Future.succeededFuture();
      }
      if (millis <= 0) {
        return Future.failedFuture(new TimeoutException("no permit free"));
      }
      waiter = new Waiter();
      waiters.add(waiter);
      waiter.timer = vertx.setTimer(millis, id -> giveUp(waiter));
    }
    return waiter.granted.future();
  }

  /** Returns a permit: to the longest waiter if there is one and the semaphore has not shrunk below its use. */
  void release() {
    Waiter next;
    synchronized (this) {
      next = used > permits ? null : waiters.poll();
      if (next == null) {
        used--;
        return;
      }
    }
    grant(next);
  }

  /**
   * Changes the number of permits. Growing wakes waiters at once; shrinking takes effect as permits come back
   * (calls already holding one keep it).
   */
  void resize(int newPermits) {
    Deque<Waiter> woken = new ArrayDeque<>();
    synchronized (this) {
      permits = newPermits;
      while (used < permits && !waiters.isEmpty()) {
        used++;
        woken.add(waiters.poll());
      }
    }
    woken.forEach(this::grant);
  }

  private void grant(Waiter next) {
    vertx.cancelTimer(next.timer);
    next.granted.complete();
  }

  synchronized int waiting() {
    return waiters.size();
  }

  private void giveUp(Waiter waiter) {
    boolean removed;
    synchronized (this) {
      removed = waiters.remove(waiter);
    }
    if (removed) {
      waiter.granted.fail(new TimeoutException("no permit within the time limit"));
    }
  }
}
