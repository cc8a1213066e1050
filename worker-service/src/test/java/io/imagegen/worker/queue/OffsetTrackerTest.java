package io.imagegen.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OffsetTrackerTest {
  private static OffsetTracker startedTenToFourteen() {
    OffsetTracker tracker = new OffsetTracker();
    for (long offset = 10; offset <= 14; offset++) {
      tracker.started(offset);
    }
    return tracker;
  }

  @Test
  void nothingIsCommittableBeforeAnyRecordArrives() {
    OffsetTracker tracker = new OffsetTracker();

    assertThat(tracker.committable()).isEqualTo(-1);
    assertThat(tracker.inFlight()).isZero();
    assertThat(tracker.hasNewCommit()).isFalse();
  }

  @Test
  void whileTheFirstRecordRunsItsOwnOffsetIsCommittable() {
    OffsetTracker tracker = new OffsetTracker();

    tracker.started(10);

    // Committing 10 means "resume at 10": the running record is replayed, never skipped.
    assertThat(tracker.committable()).isEqualTo(10);
    assertThat(tracker.inFlight()).isEqualTo(1);
  }

  @Test
  void outOfOrderCompletionCommitsOnlyTheContiguousDonePrefix() {
    OffsetTracker tracker = startedTenToFourteen();
    assertThat(tracker.committable()).isEqualTo(10);

    tracker.finished(12);
    tracker.finished(13);
    assertThat(tracker.committable()).isEqualTo(10);
    assertThat(tracker.inFlight()).isEqualTo(3);

    tracker.finished(10);
    assertThat(tracker.committable()).isEqualTo(11);

    tracker.finished(11);
    assertThat(tracker.committable()).isEqualTo(14);

    tracker.finished(14);
    assertThat(tracker.committable()).isEqualTo(15);
    assertThat(tracker.inFlight()).isZero();
  }

  @Test
  void whenEverythingIsDoneTheNextOffsetAfterTheHighestSeenIsCommittable() {
    OffsetTracker tracker = new OffsetTracker();
    tracker.started(100);
    tracker.started(105); // compacted or filtered offsets leave gaps

    tracker.finished(105);
    tracker.finished(100);

    assertThat(tracker.committable()).isEqualTo(106);
  }

  @Test
  void finishingTheSameOffsetTwiceOrAnUnknownOneChangesNothing() {
    OffsetTracker tracker = startedTenToFourteen();
    tracker.finished(10);

    tracker.finished(10);
    tracker.finished(99);

    assertThat(tracker.committable()).isEqualTo(11);
    assertThat(tracker.inFlight()).isEqualTo(4);
  }

  @Test
  void aRecordThatNeverFinishesHoldsBackTheCommitForever() {
    OffsetTracker tracker = startedTenToFourteen();

    tracker.finished(10);
    tracker.finished(12);
    tracker.finished(13);
    tracker.finished(14);

    assertThat(tracker.committable()).isEqualTo(11);
  }

  @Test
  void aNewCommitIsAvailableOnlyWhenTheCommittableOffsetMoved() {
    OffsetTracker tracker = startedTenToFourteen();
    assertThat(tracker.hasNewCommit()).isTrue();

    tracker.markCommitted(tracker.committable());
    assertThat(tracker.hasNewCommit()).isFalse();

    tracker.finished(12);
    assertThat(tracker.hasNewCommit()).as("12 finished but 10 still runs: the commit point did not move").isFalse();

    tracker.finished(10);
    assertThat(tracker.hasNewCommit()).isTrue();

    tracker.markCommitted(11);
    assertThat(tracker.hasNewCommit()).isFalse();
  }

  @Test
  void startingMoreRecordsDoesNotMoveTheCommitWhileTheFirstIsStillRunning() {
    OffsetTracker tracker = new OffsetTracker();
    tracker.started(10);
    tracker.markCommitted(10);

    tracker.started(11);
    tracker.started(12);

    assertThat(tracker.hasNewCommit()).isFalse();
  }

  @Test
  void forgettingTheLastCommitMakesTheCurrentOffsetCommittableAgain() {
    OffsetTracker tracker = startedTenToFourteen();
    tracker.finished(10);
    tracker.markCommitted(11);

    tracker.markCommitted(-1); // what the consumer does when an async commit fails

    assertThat(tracker.hasNewCommit()).isTrue();
    assertThat(tracker.committable()).isEqualTo(11);
  }

  @Test
  void uncommittedCountsEverythingReceivedFromTheFirstUnfinishedRecordOn() {
    OffsetTracker tracker = startedTenToFourteen();
    assertThat(new OffsetTracker().uncommitted()).isZero();
    assertThat(tracker.uncommitted()).isEqualTo(5);

    tracker.finished(12);
    assertThat(tracker.uncommitted()).as("12 is done but sits behind 10 and 11").isEqualTo(5);
    tracker.finished(10);
    tracker.finished(11);
    assertThat(tracker.uncommitted()).isEqualTo(2);
    tracker.finished(13);
    tracker.finished(14);
    assertThat(tracker.uncommitted()).isZero();
  }
}
