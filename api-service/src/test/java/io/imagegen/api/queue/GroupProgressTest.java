package io.imagegen.api.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GroupProgressTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void theRateCountsOnlyTheTimeAPartitionHadWork() {
    GroupProgress progress = new GroupProgress();
    // Ten idle seconds, then four busy ones finishing two jobs a second.
    progress.add(0, Map.of(0, 5L), Map.of(0, 5L));
    progress.add(10 * SECOND, Map.of(0, 5L), Map.of(0, 13L));
    for (int i = 1; i <= 4; i++) {
      progress.add((10 + i) * SECOND, Map.of(0, 5L + 2 * i), Map.of(0, 13L));
    }

    assertThat(progress.rate(0)).isCloseTo(2.0, within(0.01));
    assertThat(progress.committed(0)).isEqualTo(13);
  }

  @Test
  void tooLittleBusyTimeMeansNoRateYetAndAnUnmeasuredPartitionHasNoCommit() {
    GroupProgress progress = new GroupProgress();
    progress.add(0, Map.of(), Map.of(0, 4L, 1, 0L));
    progress.add(SECOND, Map.of(0, 1L), Map.of(0, 4L, 1, 0L));

    assertThat(progress.rate(0)).isZero();
    assertThat(progress.committed(1)).isZero();
    assertThat(progress.committed(7)).isEqualTo(-1);
  }

  @Test
  void samplesOlderThanTheWindowStopCounting() {
    GroupProgress progress = new GroupProgress();
    progress.add(0, Map.of(0, 0L), Map.of(0, 1000L));
    progress.add(5 * SECOND, Map.of(0, 500L), Map.of(0, 1000L));
    long later = 5 * SECOND + GroupProgress.WINDOW_NANOS + SECOND;
    progress.add(later, Map.of(0, 500L), Map.of(0, 1000L));
    progress.add(later + 4 * SECOND, Map.of(0, 504L), Map.of(0, 1000L));

    assertThat(progress.rate(0)).isCloseTo(1.0, within(0.01));
  }
}
