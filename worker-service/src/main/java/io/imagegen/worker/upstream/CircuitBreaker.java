package io.imagegen.worker.upstream;

import io.imagegen.common.models.ProviderSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * One provider's breaker (see {@link ProviderSpec.CircuitBreaker} for the rules). Every admitted call must be
 * reported with {@link #record}; an outcome from before the last state change is ignored, so a slow call started
 * while closed cannot close a breaker that has opened since. Thread-safe.
 */
final class CircuitBreaker {
  /** In order of severity: the metrics report the ordinal. */
  enum State { CLOSED, HALF_OPEN, OPEN }

  /** Permission to call; {@code epoch} identifies the state it was given in. */
  record Ticket(long epoch) {
  }

  private final ProviderSpec.CircuitBreaker rules;
  private final Clock clock;
  private final boolean[] failures;
  private State state = State.CLOSED;
  private long epoch;
  private Instant openedAt = Instant.MIN;
  private int recorded;
  private int failed;
  private int consecutive;
  private int probesAdmitted;
  private int probesSucceeded;

  CircuitBreaker(ProviderSpec.CircuitBreaker rules, Clock clock) {
    this.rules = rules;
    this.clock = clock;
    this.failures = new boolean[rules.window()];
  }

  /** A ticket if a call may go ahead now, else {@code null}. */
  synchronized Ticket admit() {
    if (state == State.OPEN && !clock.instant().isBefore(openedAt.plus(rules.openFor()))) {
      moveTo(State.HALF_OPEN);
    }
    return switch (state) {
      case CLOSED -> new Ticket(epoch);
      case OPEN -> null;
      case HALF_OPEN -> probesAdmitted < rules.halfOpenProbes() ? probe() : null;
    };
  }

  /** How long a refused caller should wait before trying again. */
  synchronized Duration retryAfter() {
    Duration left = Duration.between(clock.instant(), openedAt.plus(rules.openFor()));
    // Half-open with every probe out: the probes decide; if one fails the breaker stays open this long again.
    return state == State.OPEN && !left.isNegative() && !left.isZero() ? left : rules.openFor();
  }

  /** Reports the outcome of an admitted call; {@code healthy} is false only for failures that blame the vendor. */
  synchronized void record(Ticket ticket, boolean healthy) {
    if (ticket.epoch() != epoch) {
      return;
    }
    if (state == State.HALF_OPEN) {
      if (!healthy) {
        moveTo(State.OPEN);
      } else if (++probesSucceeded == rules.halfOpenProbes()) {
        moveTo(State.CLOSED);
      }
      return;
    }
    int slot = recorded % failures.length;
    if (recorded >= failures.length && failures[slot]) {
      failed--;
    }
    failures[slot] = !healthy;
    recorded++;
    failed += healthy ? 0 : 1;
    consecutive = healthy ? 0 : consecutive + 1;
    boolean windowFull = recorded >= failures.length;
    if (windowFull && failed >= rules.failureRatio() * failures.length
        || rules.consecutiveFailures() > 0 && consecutive >= rules.consecutiveFailures()) {
      moveTo(State.OPEN);
    }
  }

  synchronized State state() {
    return state;
  }

  private Ticket probe() {
    probesAdmitted++;
    return new Ticket(epoch);
  }

  private void moveTo(State next) {
    state = next;
    epoch++;
    if (next == State.OPEN) {
      openedAt = clock.instant();
    }
    recorded = 0;
    failed = 0;
    consecutive = 0;
    probesAdmitted = 0;
    probesSucceeded = 0;
  }
}
