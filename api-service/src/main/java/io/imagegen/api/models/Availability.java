package io.imagegen.api.models;

import io.imagegen.common.queue.WorkerAnnouncement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which models some live worker can serve, learnt from the workers' announcements
 * (docs/architecture.md#model-availability). Updates come from one context (the workers-topic reader's); every other
 * context reads an immutable snapshot, and expiry is judged at read time, so a worker that died without a tombstone
 * stops counting once its announcement expires.
 */
public final class Availability {
  /** What the API knows about a model. */
  public enum State {
    /** Some live worker announced it. */
    AVAILABLE,
    /** Live workers exist and none of them serves it. */
    UNAVAILABLE,
    /** The topic is not read to its end yet, no worker is live, or the start-up grace has not passed. */
    UNKNOWN
  }

  /** One record of the workers topic; a {@code null} announcement is the worker's tombstone. */
  public record Update(String workerId, WorkerAnnouncement announcement) {
  }

  private record Snapshot(List<WorkerAnnouncement> workers, boolean caughtUp) {
  }

  private final Clock clock;
  private final Instant graceEnds;
  /** Owned by the updating context. */
  private final Map<String, WorkerAnnouncement> workers = new HashMap<>();
  private volatile Snapshot snapshot = new Snapshot(List.of(), false);

  /** Unknown for every model until {@code grace} has passed from now and the topic was read to its end. */
  public Availability(Clock clock, Duration grace) {
    this.clock = clock;
    this.graceEnds = clock.instant().plus(grace);
  }

  /** Applies {@code updates} in order; {@code caughtUp} once the reader has reached the end it saw at start. */
  void apply(List<Update> updates, boolean caughtUp) {
    for (Update update : updates) {
      if (update.announcement() == null) {
        workers.remove(update.workerId());
      } else {
        workers.put(update.workerId(), update.announcement());
      }
    }
    long now = clock.millis();
    // Workers that died without a tombstone would otherwise stay in the map for good.
    workers.values().removeIf(worker -> worker.expiresAtMillis() <= now);
    snapshot = new Snapshot(List.copyOf(workers.values()), caughtUp || snapshot.caughtUp());
  }

  /** The model's state now. */
  public State state(String modelId) {
    Snapshot current = snapshot;
    if (!current.caughtUp() || clock.instant().isBefore(graceEnds)) {
      return State.UNKNOWN;
    }
    long now = clock.millis();
    boolean anyLive = false;
    for (WorkerAnnouncement worker : current.workers()) {
      if (worker.expiresAtMillis() > now) {
        anyLive = true;
        if (worker.models().contains(modelId)) {
          return State.AVAILABLE;
        }
      }
    }
    return anyLive ? State.UNAVAILABLE : State.UNKNOWN;
  }
}
