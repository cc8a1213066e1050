package io.imagegen.api.queue;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * The worker group's recent pace per partition, from a window of (committed offset, end offset) samples. Only the
 * time a partition had a backlog counts, so idle minutes do not dilute the rate; see docs/api.md "Where a task
 * stands". Not thread-safe: one owner feeds and reads it.
 */
final class GroupProgress {
  /** Long enough to smooth commit bursts, short enough to follow a fleet that scales up or slows down. */
  static final long WINDOW_NANOS = 60_000_000_000L;
  /** Less busy time than this says nothing yet about the pace. */
  private static final double MIN_BUSY_SECONDS = 2;

  private record Sample(long nanos, Map<Integer, Long> committed, Map<Integer, Long> ends) {
  }

  private final Deque<Sample> samples = new ArrayDeque<>();

  /** Records one measurement taken at {@code nanos}; offsets are per partition number. */
  void add(long nanos, Map<Integer, Long> committed, Map<Integer, Long> ends) {
    samples.addLast(new Sample(nanos, Map.copyOf(committed), Map.copyOf(ends)));
    while (samples.size() > 2 && nanos - samples.peekFirst().nanos() > WINDOW_NANOS) {
      samples.removeFirst();
    }
  }

  /** The latest committed offset of {@code partition} (0 when the group never committed there), or -1 if unknown. */
  long committed(int partition) {
    Sample last = samples.peekLast();
    if (last == null || !last.ends().containsKey(partition)) {
      return -1;
    }
    return last.committed().getOrDefault(partition, 0L);
  }

  /** Jobs per second finished on {@code partition} while it had work, or 0 when not yet measurable. */
  double rate(int partition) {
    double done = 0;
    double busySeconds = 0;
    Sample previous = null;
    for (Sample sample : samples) {
      if (previous != null) {
        long before = previous.committed().getOrDefault(partition, 0L);
        if (previous.ends().getOrDefault(partition, 0L) > before) {
          done += Math.max(0, sample.committed().getOrDefault(partition, 0L) - before);
          busySeconds += (sample.nanos() - previous.nanos()) / 1e9;
        }
      }
      previous = sample;
    }
    return busySeconds < MIN_BUSY_SECONDS ? 0 : done / busySeconds;
  }

  /** The whole group's rate spread evenly over its partitions: the fallback for a partition not yet measured. */
  double averageRate() {
    Sample last = samples.peekLast();
    if (last == null || last.ends().isEmpty()) {
      return 0;
    }
    double total = 0;
    for (int partition : last.ends().keySet()) {
      total += rate(partition);
    }
    return total / last.ends().size();
  }
}
