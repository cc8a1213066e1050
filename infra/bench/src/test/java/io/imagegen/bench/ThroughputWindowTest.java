package io.imagegen.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Throughput from committed offsets when a backlog's jobs finish in waves, and from the workers' own timers. */
class ThroughputWindowTest {
  private static final long MS = 1_000_000;

  /** 1000 jobs taken together finish within 400 ms of each other, every 10.5 s; sampled every 50 ms from start. */
  private static List<GroupProgress.Sample> waves(long startMillis, long millis) {
    List<GroupProgress.Sample> samples = new ArrayList<>();
    for (long t = startMillis; t <= startMillis + millis; t += 50) {
      long wave = t / 10_500;
      long intoWave = t % 10_500;
      long finishedOfThisWave = Math.min(1_000, intoWave * 1_000 / 400);
      samples.add(new GroupProgress.Sample(t * MS, wave * 1_000 + finishedOfThisWave));
    }
    return samples;
  }

  @Test
  void wholeTurnoversReadTheSameRateWhereverTheWindowCutsTheWaves() {
    double expected = 1_000 / 10.5;
    for (long start = 11_000; start < 21_500; start += 700) {
      List<GroupProgress.Sample> samples = waves(start, 45_000);

      GroupProgress.Turnovers turnovers = GroupProgress.turnovers(samples, 1_000);

      assertThat(turnovers.turnovers()).as("start %d", start).isBetween(3, 4);
      assertThat(turnovers.perSecond()).as("start %d", start).isCloseTo(expected, within(expected * 0.01));
    }
  }

  @Test
  void aSlopeOverTheSameWindowsSwingsWithThePhase() {
    // Why the turnovers exist: the least-squares slope over 30 s of waves misreads by a tenth or more.
    double lowest = Double.MAX_VALUE;
    double highest = 0;
    for (long start = 11_000; start < 21_500; start += 700) {
      double slope = GroupProgress.perSecond(waves(start, 30_000));
      lowest = Math.min(lowest, slope);
      highest = Math.max(highest, slope);
    }
    assertThat(highest / lowest).isGreaterThan(1.1);
  }

  @Test
  void lessThanOneTurnoverGivesNoTurnoverRate() {
    assertThat(GroupProgress.turnovers(waves(11_000, 5_000), 1_000)).isNull();
  }

  @Test
  void slotModelAndStorageTimesAreSummedFromThePrometheusTextOfTheJobsTopicOnly() {
    String text = """
        # HELP imagegen_worker_jobs_seconds How long a job held its in-flight slot
        imagegen_worker_jobs_seconds_count{topic="imagegen.jobs"} 40
        imagegen_worker_jobs_seconds_sum{topic="imagegen.jobs"} 421.5
        imagegen_worker_jobs_seconds_max{topic="imagegen.jobs"} 19.0
        imagegen_worker_jobs_seconds_count{topic="imagegen.task-events"} 900
        imagegen_worker_upstream_calls_seconds_count{model="a",outcome="success",provider="demo"} 30
        imagegen_worker_upstream_calls_seconds_sum{model="a",outcome="success",provider="demo"} 300
        imagegen_worker_upstream_calls_seconds_count{model="b",outcome="failure",provider="demo"} 10
        imagegen_worker_upstream_calls_seconds_sum{model="b",outcome="failure",provider="demo"} 20
        imagegen_worker_storage_calls_seconds_count{operation="task_write",outcome="success"} 80
        imagegen_worker_storage_calls_seconds_sum{operation="task_write",outcome="success"} 8
        """;
    Map<String, double[]> timers = new TreeMap<>();
    SlotTimes.parse(text, "imagegen.jobs", timers);
    SlotTimes.parse(text, "imagegen.jobs", timers);
    SlotTimes.Snapshot twoWorkers = new SlotTimes.Snapshot(timers);

    assertThat(twoWorkers.mean(SlotTimes.SLOT)).isEqualTo(421.5 / 40);
    assertThat(twoWorkers.mean(SlotTimes.MODEL)).isEqualTo(8.0);
    assertThat(twoWorkers.mean("storage task_write")).isEqualTo(0.1);
    assertThat(twoWorkers.perJob("storage task_write")).isEqualTo(2.0);
    assertThat(twoWorkers.minus(new SlotTimes.Snapshot(Map.of(SlotTimes.SLOT, new double[] {421.5, 40})))
        .mean(SlotTimes.SLOT)).isEqualTo(421.5 / 40);
  }
}
