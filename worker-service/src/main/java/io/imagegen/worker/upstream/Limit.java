package io.imagegen.worker.upstream;

import io.imagegen.common.models.ModelSpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.concurrent.TimeoutException;

/** One scope's limits (a model, or a provider across its models): calls at once, and calls started per minute. */
final class Limit {
  private final Vertx vertx;
  private final Clock clock;
  private final AsyncSemaphore inFlight;
  private final TokenBucket rate;

  Limit(Vertx vertx, Clock clock, ModelSpec.Concurrency limits) {
    this.vertx = vertx;
    this.clock = clock;
    this.inFlight = limits.maxInFlight() > 0 ? new AsyncSemaphore(vertx, limits.maxInFlight()) : null;
    this.rate = limits.requestsPerMinute() > 0 ? new TokenBucket(limits.requestsPerMinute(), clock.millis()) : null;
  }

  /** Takes a slot, waiting until {@code untilMillis} at most; {@link #release()} gives it back. */
  Future<Void> acquireSlot(long untilMillis) {
    return inFlight == null ? Future.succeededFuture() : inFlight.acquire(untilMillis - clock.millis());
  }

  void release() {
    if (inFlight != null) {
      inFlight.release();
    }
  }

  /** Waits for this scope's turn to start a call; fails at once if that turn comes after {@code untilMillis}. */
  Future<Void> awaitTurn(long untilMillis) {
    if (rate == null) {
      return Future.succeededFuture();
    }
    long now = clock.millis();
    long delay = rate.reserve(now);
    if (delay == 0) {
      return Future.succeededFuture();
    }
    if (now + delay > untilMillis) {
      return Future.failedFuture(new TimeoutException("rate limit turn comes after the deadline"));
    }
    return vertx.timer(delay).mapEmpty();
  }

  /** Callers waiting for a slot. */
  int waiting() {
    return inFlight == null ? 0 : inFlight.waiting();
  }
}
