package io.imagegen.bench;

import io.imagegen.worker.WorkerMain;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * Worker throughput on a backlog: tasks are created first (no worker running), then workers start, and finished jobs
 * per second are counted from the group's committed offsets over a window in which the workers are saturated: after
 * their ramp-up and before the backlog runs short of one full in-flight load.
 */
final class Backlog {
  record Measured(double perSecond, double windowSeconds, double submitPerSecond, Map<String, Double> cores) {
    JsonObject toJson() {
      return new JsonObject().put("jobs_per_second", Report.finite(perSecond)).put("window_seconds", windowSeconds)
          .put("prefill_submits_per_second", submitPerSecond).put("cpu", CpuMeter.toJson(cores));
    }
  }

  private Backlog() {
  }

  /**
   * @param api where to create the tasks
   * @param startWorkers starts the workers once the backlog exists
   * @param inFlight how many jobs the started workers run at once in total
   * @param settled how long after the workers are ready the window starts
   */
  static Measured measure(Scenario.Context ctx, BenchApi api, GroupProgress progress, int tasks, int inFlight,
      Start startWorkers, Ready ready, double settled, double windowSeconds)
      throws Exception {
    long begin = System.nanoTime();
    Prefill.submit(ctx.vertx(), api, tasks, 64, i -> BenchApi.body("bench backlog " + i, "64x64"));
    double submitRate = tasks / ((System.nanoTime() - begin) / 1e9);
    Log.info("  %d tasks queued at %.0f/s; starting workers", tasks, submitRate);
    long workersStarted = System.nanoTime();
    startWorkers.start();
    ready.await();
    // Joining the group and the first jobs' model time come first; measure only once results are flowing.
    progress.awaitCommitted(1, 60);
    Log.info("  first jobs committed %.1f s after the workers started", (System.nanoTime() - workersStarted) / 1e9);
    long from = System.nanoTime() + (long) (settled * 1e9);
    Thread.sleep(Math.max(0, (from - System.nanoTime()) / 1_000_000));
    CpuMeter cpu = CpuMeter.start();
    // Past tasks - 1.2 x in-flight committed, the backlog can no longer keep every slot busy.
    List<GroupProgress.Sample> samples = progress.sample(System.nanoTime(), windowSeconds,
        tasks - Math.round(1.2 * inFlight));
    Map<String, Double> cores = cpu.stop();
    double perSecond = GroupProgress.perSecond(samples);
    double span = GroupProgress.spanSeconds(samples);
    Log.info("  %.1f jobs/s over %.1f s (%d samples); %s", perSecond, span, samples.size(),
        CpuMeter.summary(cores));
    return new Measured(perSecond, span, submitRate, cores);
  }

  /** Starts the workers that are to drain the backlog. */
  interface Start {
    List<WorkerMain.Running> start() throws Exception;
  }

  /** Blocks until the workers are in a state worth measuring. */
  interface Ready {
    void await() throws Exception;
  }
}
