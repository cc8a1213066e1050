package io.imagegen.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Where a slot's time goes, from the workers' own timers. */
class SlotTimesTest {
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
