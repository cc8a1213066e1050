package io.imagegen.bench;

import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * P2: dispatch overhead, the time from the model finishing to the task being visible as SUCCEEDED, under half the
 * worker's capacity of background submissions. A sample of the submitted tasks is traced by polling (see
 * {@link DispatchTracer} for the method).
 */
final class P2Dispatch implements Scenario {
  private static final int IN_FLIGHT = 256;
  private static final long LATENCY_MS = 1000;
  private static final long POLL_MS = 5;
  private static final double TRACES_PER_SECOND = 10;
  private static final double P50_TARGET_MS = 10;
  private static final double P99_TARGET_MS = 25;
  /**
   * Task record and owner's task index, RUNNING, image, SUCCEEDED, image record (docs/performance.md#storage-calls);
   * 1 % for retries.
   */
  private static final double REQUESTS_TARGET = 6.06;

  @Override
  public String id() {
    return "P2";
  }

  @Override
  public String title() {
    return "dispatch overhead: model finished -> SUCCEEDED visible via GET, at half the worker's capacity";
  }

  @Override
  public void run(Context ctx, Outcome out) throws Exception {
    double warm = ctx.pick(5, 2);
    double measure = ctx.pick(40, 8);
    Map<String, String> env = Map.of("IMAGEGEN_DEMO_LATENCY", LATENCY_MS + "ms",
        "IMAGEGEN_WORKER_MAX_IN_FLIGHT", Integer.toString(IN_FLIGHT));
    try (BenchStack stack = BenchStack.start(ctx, id(), env);
        GroupProgress progress = new GroupProgress(stack.bootstrapServers(), stack.groupId())) {
      BenchApi api = ctx.api(stack);
      // "Half of max load" is half of what this worker on this machine completes, measured here on a backlog,
      // capped by its concurrency ceiling: a rate from another machine would overload this one or idle it.
      int probeTasks = ctx.pick(3_000, 1_000);
      Map<String, Long> s3Before = stack.s3Requests();
      Backlog.Measured probe = Backlog.measure(ctx, api, progress, stack.jobsTopic(), probeTasks, IN_FLIGHT,
          () -> stack.addWorkers(1, Map.of()), () -> { }, 1, ctx.pick(8, 2));
      progress.awaitCommitted(probeTasks, 120);
      // Nobody polls during the probe, so these are the submits' and the jobs' requests alone.
      S3Requests perTask = S3Requests.between(s3Before, stack.s3Requests());
      Log.info("  S3 requests per async task (submit + job): %.2f (%s)", perTask.per(probeTasks),
          perTask.perUnit(probeTasks));
      out.detail("s3_requests_per_async_task", perTask.toJson(probeTasks));
      out.add(Result.atMost(id(), "S3 requests per async task", perTask.per(probeTasks), "", REQUESTS_TARGET,
          "submit + job, counted at the S3 server: " + perTask.perUnit(probeTasks)));
      out.add(Result.info(id(), "CPU per finished job", CpuMeter.msPer(probe.cores(), probe.perSecond()), "ms",
          String.format("all processes, on a backlog at %.0f jobs/s; %s", probe.perSecond(),
              CpuMeter.summary(probe.cores()))));
      double ceiling = IN_FLIGHT * 1000.0 / LATENCY_MS;
      double max = Double.isNaN(probe.perSecond()) ? ceiling : Math.min(probe.perSecond(), ceiling);
      out.detail("max_load_probe", probe.toJson().put("tasks", probeTasks).put("ceiling", ceiling));
      out.add(Result.info(id(), "max job rate (backlog)", max, "jobs/s", String.format("ceiling %.0f/s = %d in "
          + "flight / %d ms model", ceiling, IN_FLIGHT, LATENCY_MS)));
      double capacity = 0;
      for (double fraction : ctx.quick() ? new double[] {0.5} : new double[] {0.5, 0.75, 0.9}) {
        double p99 = atFraction(ctx, out, api, fraction, max, warm, measure);
        if (p99 <= P99_TARGET_MS) {
          capacity = Math.max(capacity, Math.floor(fraction * max));
        }
      }
      out.add(Result.info(id(), "dispatch capacity (overhead p99 <= " + Report.number(P99_TARGET_MS) + " ms)",
          capacity, "jobs/s", "highest load tried (0.5, 0.75, 0.9 x max job rate) that kept the p99; 0 = none"));
    }
  }

  /** Submits at {@code fraction} of {@code max}, traces a sample and reports the overhead; returns its p99. */
  private double atFraction(Context ctx, Outcome out, BenchApi api, double fraction, double max, double warm,
      double measure) throws Exception {
    double rate = Math.max(1, Math.floor(fraction * max));
    String at = fraction == 0.5 ? "" : String.format(" @%.2fx max", fraction);
    long every = Math.max(1, Math.round(rate / TRACES_PER_SECOND));
    DispatchTracer.Stats stats = new DispatchTracer.Stats();
    long warmCount = Math.round(rate * warm);
    LoadGen.Call submit = i -> {
      Future<BenchApi.Response> answer = api.submit(BenchApi.body(String.format("bench dispatch %08d", i),
          "64x64"));
      if (i >= warmCount && i % every == 0) {
        answer.onSuccess(response -> {
          if (response.status() == 200) {
            DispatchTracer.trace(ctx.vertx(), api, TimeUnit.MILLISECONDS.toNanos(LATENCY_MS), POLL_MS, stats,
                response.json().getString("task_id"), System.nanoTime());
          }
        });
      }
      return answer.map(BenchApi.Response::status);
    };
    CpuMeter cpu = CpuMeter.start();
    LoadResult load = LoadGen.run(ctx.vertx(), new LoadGen.Spec("submit@" + (long) rate, rate, warm, measure),
        submit);
    // The last traced tasks are still finishing; their model alone takes L.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (pending(ctx, stats) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    var cores = cpu.stop();
    Log.info("  %s", load.oneLine());
    Log.info("  traced %d, finished %d, failed %d, unbracketed %d, negative %d, %d polls; %s", stats.started,
        stats.finished, stats.failed, stats.unbracketed, stats.negative, stats.polls, CpuMeter.summary(cores));
    String key = fraction == 0.5 ? "" : "_at_" + fraction;
    out.detail("load" + key, load.toJson());
    out.detail("traced" + key, stats.started);
    out.detail("cpu" + key, CpuMeter.toJson(cores));
    out.detail("method", "Tasks submitted open-loop at a fraction of the measured max load (max: "
        + IN_FLIGHT + " in flight / " + LATENCY_MS + " ms at most); a sample is polled every " + POLL_MS
        + " ms. A transition is placed midway between the last GET showing the old status (sent) and the first"
        + " showing the new one (received). overhead = t(SUCCEEDED) - t(RUNNING) - L: the model starts right after"
        + " RUNNING is written, so this is model-done to result-visible, without queueing. pickup = t(RUNNING) -"
        + " accepted.");
    out.detail("overhead_ms" + key, percentiles(stats.overhead));
    out.detail("pickup_ms" + key, percentiles(stats.pickup));
    out.detail("end_to_end_minus_L_ms" + key, percentiles(stats.endToEnd));
    String notes = String.format("%d traced tasks, %d polls, GET every %d ms; load %.0f/s submitted (achieved "
        + "%.0f/s) = %.2f of the %.0f jobs/s measured first; see JSON for the method", stats.finished, stats.polls,
        POLL_MS, rate, load.achievedRate(), fraction, max);
    double p99 = ms(stats.overhead, 99);
    if (fraction != 0.5) {
      out.add(Result.info(id(), "dispatch overhead p99" + at, p99, "ms", notes));
      return p99;
    }
    out.add(Result.atMost(id(), "dispatch overhead p50", ms(stats.overhead, 50), "ms", P50_TARGET_MS, notes));
    out.add(Result.atMost(id(), "dispatch overhead p99", p99, "ms", P99_TARGET_MS,
        "resolution about +-" + POLL_MS + " ms plus half a GET"));
    out.add(Result.info(id(), "pickup (accepted -> RUNNING) p50", ms(stats.pickup, 50), "ms",
        String.format("p99 %.1f ms: Kafka delivery + RUNNING write", ms(stats.pickup, 99))));
    out.add(Result.info(id(), "accepted -> SUCCEEDED seen, minus L, p50", ms(stats.endToEnd, 50), "ms",
        String.format("p99 %.1f ms: everything the system adds to the model's time", ms(stats.endToEnd, 99))));
    return p99;
  }

  /** Traces not yet ended (the counters live on the generator's event loop, so they are read there). */
  private static long pending(Context ctx, DispatchTracer.Stats stats) throws Exception {
    java.util.concurrent.CompletableFuture<Long> done = new java.util.concurrent.CompletableFuture<>();
    ctx.vertx().runOnContext(ignored -> done.complete(stats.started - stats.finished - stats.failed));
    return done.get(10, TimeUnit.SECONDS);
  }

  private static double ms(org.HdrHistogram.Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
  }

  private static io.vertx.core.json.JsonObject percentiles(org.HdrHistogram.Histogram h) {
    return new io.vertx.core.json.JsonObject().put("count", h.getTotalCount())
        .put("p50", Report.finite(ms(h, 50))).put("p90", Report.finite(ms(h, 90)))
        .put("p99", Report.finite(ms(h, 99))).put("max", Report.finite(h.getTotalCount() == 0 ? Double.NaN
            : h.getMaxValue() / 1000.0));
  }
}
