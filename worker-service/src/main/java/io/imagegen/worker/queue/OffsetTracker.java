package io.imagegen.worker.queue;

import java.util.TreeSet;

/**
 * Tracks one partition's records that were handed out but are not finished. Records arrive in offset order and
 * finish in any order; the committable offset is the lowest unfinished one, i.e. the end of the done prefix.
 * Confined to the consumer's poll thread.
 */
final class OffsetTracker {
  private final TreeSet<Long> inFlight = new TreeSet<>();
  private long next = -1;
  private long lastCommitted = -1;

  void started(long offset) {
    inFlight.add(offset);
    next = Math.max(next, offset + 1);
  }

  void finished(long offset) {
    inFlight.remove(offset);
  }

  int inFlight() {
    return inFlight.size();
  }

  /** Records received but not covered by {@link #committable()}: in flight, or finished behind one that is. */
  long uncommitted() {
    return next < 0 ? 0 : next - committable();
  }

  /** The offset to commit (the next record to read after a restart), or -1 when nothing was received yet. */
  long committable() {
    return inFlight.isEmpty() ? next : inFlight.first();
  }

  /** Whether {@link #committable()} moved since the last {@link #markCommitted(long)}. */
  boolean hasNewCommit() {
    long offset = committable();
    return offset >= 0 && offset != lastCommitted;
  }

  void markCommitted(long offset) {
    lastCommitted = offset;
  }
}
