package io.imagegen.worker.upstream;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * This worker's share of deployment-wide upstream limits, from the jobs-topic partitions it owns. A limit {@code L}
 * over {@code P} partitions is cut into per-partition units: partition {@code j} carries
 * {@code floor((j+1)L/P) - floor(jL/P)} of it, so the units of all partitions add up to exactly {@code L}, and a
 * worker's share is the sum over the partitions it owns. However the group splits the partitions, the shares of its
 * members never add up to more than {@code L}; a worker owning none gets 0. With contiguous (range) assignments each
 * share is within one of {@code L * owned / P}. When {@code L} is below the number of workers, some own only
 * partitions without a unit and get 0: their jobs wait for capacity (docs/architecture.md). Thread-safe: the consumer
 * thread writes it, any thread reads it, and listeners run on the writing thread.
 */
public final class ClusterShare {
  /** The partitions owned and how many the topic has. */
  private record Assignment(Set<Integer> owned, int partitions) {
  }

  private volatile Assignment current;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  private ClusterShare(Assignment initial) {
    this.current = initial;
  }

  /** A share that starts with no partitions: nothing may be called until the first assignment. */
  public static ClusterShare unassigned() {
    return new ClusterShare(new Assignment(Set.of(), 1));
  }

  /** The whole of every limit: a process that is the only caller (tools, tests of one provider). */
  public static ClusterShare whole() {
    return new ClusterShare(new Assignment(Set.of(0), 1));
  }

  /** Records that this worker now owns {@code owned} of the topic's {@code partitions}, and tells the listeners. */
  public void assigned(Set<Integer> owned, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("a topic has at least one partition, got " + partitions);
    }
    Assignment next = new Assignment(Set.copyOf(owned), partitions);
    if (next.equals(current)) {
      return;
    }
    current = next;
    listeners.forEach(Runnable::run);
  }

  /** This worker's part of {@code limit} (0 when it owns no partition); see the class comment for the rounding. */
  public int of(int limit) {
    Assignment now = current;
    long total = 0;
    for (int partition : now.owned()) {
      if (partition >= 0 && partition < now.partitions()) {
        total += (long) (partition + 1) * limit / now.partitions() - (long) partition * limit / now.partitions();
      }
    }
    return (int) total;
  }

  /** Runs {@code listener} after every change of the assignment. */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }
}
