package io.imagegen.bench;

/**
 * Open-loop arrivals: request {@code i} is due at {@code start + i / rate}, whatever happened to the requests before
 * it. A stalled server therefore cannot slow the arrivals down (no coordinated omission), and latency is measured
 * from {@link #intendedNanos(long)}, not from when the request could actually be written.
 */
final class ArrivalSchedule {
  private final long startNanos;
  private final double intervalNanos;
  private final long count;

  ArrivalSchedule(long startNanos, double ratePerSecond, long count) {
    if (ratePerSecond <= 0 || count < 0) {
      throw new IllegalArgumentException("rate must be positive and count not negative");
    }
    this.startNanos = startNanos;
    this.intervalNanos = 1e9 / ratePerSecond;
    this.count = count;
  }

  /** A schedule of {@code seconds} at {@code ratePerSecond}. */
  static ArrivalSchedule forDuration(long startNanos, double ratePerSecond, double seconds) {
    return new ArrivalSchedule(startNanos, ratePerSecond, Math.max(1, Math.round(ratePerSecond * seconds)));
  }

  long startNanos() {
    return startNanos;
  }

  long count() {
    return count;
  }

  /** When request {@code index} should be sent. */
  long intendedNanos(long index) {
    return startNanos + Math.round(index * intervalNanos);
  }

  /** When the schedule is over: the intended time of the request after the last. */
  long endNanos() {
    return intendedNanos(count);
  }

  /** How many requests are due at {@code nowNanos}: every request whose intended time is not in the future. */
  long dueBy(long nowNanos) {
    if (nowNanos < startNanos) {
      return 0;
    }
    long due = (long) Math.floor((nowNanos - startNanos) / intervalNanos) + 1;
    // Rounding in intendedNanos may put the boundary request one nanosecond later; never claim it early.
    while (due > 0 && intendedNanos(due - 1) > nowNanos) {
      due--;
    }
    return Math.min(due, count);
  }
}
