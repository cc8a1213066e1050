package io.imagegen.worker.upstream;

import io.imagegen.common.models.ModelSpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.concurrent.TimeoutException;

/**
 * One scope's limits (a model, or a provider across its models): calls at once, and calls started per minute. Both
 * are deployment-wide; this worker applies its {@link ClusterShare} of them, re-sized on every rebalance.
 */
final class Limit {
  private final Vertx vertx;
  private final Clock clock;
  private final AsyncSemaphore inFlight;
  private final TokenBucket rate;

  Limit(Vertx vertx, Clock clock, ModelSpec.Concurrency limits, ClusterShare share) {
    this.vertx = vertx;
    this.clock = clock;
    this.inFlight = limits.maxInFlight() > 0 ? new AsyncSemaphore(vertx, share.of(limits.maxInFlight())) : null;
    this.rate = limits.requestsPerMinute() > 0
        ? new TokenBucket(share.of(limits.requestsPerMinute()), clock.millis()) : null;
    share.onChange(() -> {
      if (inFlight != null) {
        // Off the consumer thread that reports rebalances: woken waiters go on to call the vendor.
        vertx.runOnContext(ignored -> inFlight.resize(share.of(limits.maxInFlight())));
      }
      if (rate != null) {
        rate.rate(share.of(limits.requestsPerMinute()), clock.millis());
      }
    });
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
    // A negative answer: no share of the rate right now; ask again after that long, until the deadline.
    if (now + Math.abs(delay) > untilMillis) {
      return Future.failedFuture(new TimeoutException("rate limit turn comes after the deadline"));
    }
    return delay > 0 ? vertx.timer(delay).mapEmpty()
        : vertx.timer(-delay).compose(ignored -> awaitTurn(untilMillis));
  }

  /** Callers waiting for a slot. */
  int waiting() {
    return inFlight == null ? 0 : inFlight.waiting();
  }
}
