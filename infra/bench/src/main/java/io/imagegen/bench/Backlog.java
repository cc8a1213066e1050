package io.imagegen.bench;

import io.imagegen.worker.WorkerMain;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * Worker throughput on a backlog: tasks are created first (no worker running), then workers start, and finished jobs
 * per second are counted from the group's committed offsets over a window in which the workers are saturated: after
 * their ramp-up and before the backlog runs short of one full in-flight load. Workers starting on a backlog take a
 * full in-flight load at once, so those jobs finish together and the count climbs in waves one slot time apart; a
 * window of a few waves read anything from 0.81 to 0.93 of the same ceiling. The waves smear out as storage queueing
 * spreads each one, so callers start the window a few slot times in and make it several slot times long. The
 * workers' own timers over the same window say how long a slot is held and how much of that is the model.
 */
final class Backlog {
  /** @param perSecond least-squares slope of the committed count over the window */
  record Measured(double perSecond, double windowSeconds, double submitPerSecond, SlotTimes.Snapshot slots,
      Map<String, Double> cores) {
    JsonObject toJson() {
      return new JsonObject().put("jobs_per_second", Report.finite(perSecond)).put("window_seconds", windowSeconds)
          .put("prefill_submits_per_second", submitPerSecond).put("slots", slots.toJson())
          .put("cpu", CpuMeter.toJson(cores));
    }

    /** Mean slot time, model time and the ceiling {@code inFlight} slots allow at that slot time, for a row. */
    String slotSummary(int inFlight) {
      return String.format("slot held %.3f s per job, of which the model %.3f s; in-flight / slot time = %.1f/s; "
          + "storage mean x calls per job: %s", slots.mean(SlotTimes.SLOT), slots.mean(SlotTimes.MODEL),
          inFlight / slots.mean(SlotTimes.SLOT), slots.storageSummary());
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
  static Measured measure(Scenario.Context ctx, BenchApi api, GroupProgress progress, String topic, int tasks,
      int inFlight, Start startWorkers, Ready ready, double settled, double windowSeconds) throws Exception {
    long begin = System.nanoTime();
    Prefill.submit(ctx.vertx(), api, tasks, 64, i -> BenchApi.body("bench backlog " + i, "64x64"));
    double submitRate = tasks / ((System.nanoTime() - begin) / 1e9);
    Log.info("  %d tasks queued at %.0f/s; starting workers", tasks, submitRate);
    long workersStarted = System.nanoTime();
    List<WorkerMain.Running> workers = startWorkers.start();
    ready.await();
    // Joining the group and the first jobs' model time come first; measure only once results are flowing.
    progress.awaitCommitted(1, 60);
    Log.info("  first jobs committed %.1f s after the workers started", (System.nanoTime() - workersStarted) / 1e9);
    long from = System.nanoTime() + (long) (settled * 1e9);
    Thread.sleep(Math.max(0, (from - System.nanoTime()) / 1_000_000));
    CpuMeter cpu = CpuMeter.start();
    SlotTimes.Snapshot before = SlotTimes.scrape(workers, topic);
    // Past tasks - 1.2 x in-flight committed, the backlog can no longer keep every slot busy.
    List<GroupProgress.Sample> samples = progress.sample(System.nanoTime(), windowSeconds,
        tasks - Math.round(1.2 * inFlight));
    SlotTimes.Snapshot slots = SlotTimes.scrape(workers, topic).minus(before);
    Map<String, Double> cores = cpu.stop();
    double span = GroupProgress.spanSeconds(samples);
    Measured m = new Measured(GroupProgress.perSecond(samples), span, submitRate, slots, cores);
    Log.info("  %.1f jobs/s over %.1f s (%d samples); %s; %s", m.perSecond(), span, samples.size(),
        m.slotSummary(inFlight), CpuMeter.summary(cores));
    return m;
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
