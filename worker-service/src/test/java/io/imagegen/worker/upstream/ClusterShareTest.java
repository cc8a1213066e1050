package io.imagegen.worker.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How a deployment-wide limit is cut into the shares of the workers that own the topic's partitions. */
class ClusterShareTest {
  private static int share(int limit, int partitions, int... owned) {
    ClusterShare share = ClusterShare.unassigned();
    Set<Integer> mine = new HashSet<>();
    for (int p : owned) {
      mine.add(p);
    }
    share.assigned(mine, partitions);
    return share.of(limit);
  }

  private static int[] range(int from, int to) {
    return IntStream.range(from, to).toArray();
  }

  @Test
  void threeWorkersOwningFourOfTwelvePartitionsEachShareALimitOfFourWithoutExceedingIt() {
    List<Integer> shares = List.of(share(4, 12, range(0, 4)), share(4, 12, range(4, 8)), share(4, 12, range(8, 12)));

    assertThat(shares.stream().mapToInt(Integer::intValue).sum()).isEqualTo(4);
    assertThat(shares).allSatisfy(s -> assertThat(s).isBetween(1, 2));
  }

  @Test
  void aWorkerOwningNoPartitionGetsNothingAndOneOwningAllGetsTheWholeLimit() {
    assertThat(share(64, 12)).isZero();
    assertThat(share(64, 12, range(0, 12))).isEqualTo(64);
    assertThat(ClusterShare.unassigned().of(10)).isZero();
    assertThat(ClusterShare.whole().of(10)).isEqualTo(10);
  }

  @Test
  void withALimitBelowTheNumberOfWorkersTheSharesStillAddUpToTheLimitAndSomeGetNothing() {
    List<Integer> shares = List.of(share(2, 12, range(0, 4)), share(2, 12, range(4, 8)), share(2, 12, range(8, 12)));

    assertThat(shares.stream().mapToInt(Integer::intValue).sum()).isEqualTo(2);
    assertThat(shares).contains(0);
  }

  @Test
  void howeverThePartitionsAreSplitTheSharesNeverAddUpToMoreThanTheLimit() {
    Random random = new Random(7);
    for (int round = 0; round < 500; round++) {
      int partitions = 1 + random.nextInt(64);
      int workers = 1 + random.nextInt(10);
      int limit = random.nextInt(200);
      List<List<Integer>> owned = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        owned.add(new ArrayList<>());
      }
      for (int p = 0; p < partitions; p++) {
        owned.get(random.nextInt(workers)).add(p);
      }
      int total = owned.stream().mapToInt(list -> share(limit, partitions,
          list.stream().mapToInt(Integer::intValue).toArray())).sum();
      assertThat(total).as("limit %d over %d partitions, %d workers", limit, partitions, workers).isEqualTo(limit);
    }
  }

  @Test
  void listenersHearEveryChangeButNotARepeat() {
    ClusterShare share = ClusterShare.unassigned();
    AtomicInteger heard = new AtomicInteger();
    share.onChange(heard::incrementAndGet);

    share.assigned(Set.of(0, 1), 12);
    share.assigned(Set.of(0, 1), 12);
    share.assigned(Set.of(0), 12);

    assertThat(heard).hasValue(2);
  }
}
