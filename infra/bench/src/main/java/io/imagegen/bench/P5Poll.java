package io.imagegen.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * P5: GET latency at a fixed 1000 req/s over a mix of finished tasks (SUCCEEDED, with a result) and tasks a worker
 * holds RUNNING (its demo model waits ten minutes), half and half.
 */
final class P5Poll implements Scenario {
  private static final double P99_TARGET_MS = 10;
  private static final int RATE = 1000;
  private static final double P99_RATIO_TARGET = 2;
  private static final double CAPACITY_RATIO_TARGET = 0.5;

  @Override
  public String id() {
    return "P5";
  }

  @Override
  public String title() {
    return "poll (GET task) latency at 1000 req/s over running and finished tasks";
  }

  @Override
  public void run(Context ctx, Outcome out) throws Exception {
    int half = 250;
    try (BenchStack stack = BenchStack.start(ctx, id(), Map.of())) {
      BenchApi api = ctx.api(stack);
      List<String> finished = Prefill.submit(ctx.vertx(), api, half, 32,
          i -> BenchApi.body("bench poll finished " + i, "64x64"));
      try (GroupProgress progress = new GroupProgress(stack.bootstrapServers(), stack.groupId())) {
        var worker = stack.addWorkers(1, Map.of("IMAGEGEN_DEMO_LATENCY", "0")).get(0);
        if (progress.awaitCommitted(half, 60) < half) {
          throw new IllegalStateException("the finishing worker did not finish " + half + " tasks in time");
        }
        stack.stop(worker);
      }
      List<String> running = Prefill.submit(ctx.vertx(), api, half, 32,
          i -> BenchApi.body("bench poll running " + i, "64x64"));
      // A model that takes ten minutes keeps these RUNNING for the whole measurement; a short grace to stop.
      stack.addWorkers(1, Map.of("IMAGEGEN_DEMO_LATENCY", "10m", "IMAGEGEN_SHUTDOWN_TIMEOUT", "1s"));
      TaskWatch.awaitStatus(api, finished, "SUCCEEDED", 30);
      TaskWatch.awaitStatus(api, running, "RUNNING", 30);
      List<String> ids = new ArrayList<>(finished);
      ids.addAll(running);

      // Spread over all 500 tasks, alternating finished and running.
      LoadGen.Call get = i -> api.get(ids.get((int) ((i * 7919) % ids.size()))).map(BenchApi.Response::status);
      LoadGen.prime(ctx.vertx(), "poll", get, RATE / 2.0, ctx.pick(10, 2));
      CpuMeter cpu = CpuMeter.start();
      LoadResult r = LoadGen.run(ctx.vertx(), new LoadGen.Spec("poll@" + RATE, RATE, ctx.pick(5, 1),
          ctx.pick(20, 3)), get);
      var cores = cpu.stop();
      Log.info("  %s", r.oneLine());
      Log.info("  %s", CpuMeter.summary(cores));
      out.detail("poll", r.toJson());
      out.detail("cpu", CpuMeter.toJson(cores));
      String notes = String.format("%d tasks (%d SUCCEEDED, %d RUNNING); achieved %.0f/s, %d non-2xx, %d errors",
          ids.size(), finished.size(), running.size(), r.achievedRate(), r.non2xx(), r.errors());
      out.add(Result.info(id(), "GET p50 @1000/s", r.p50(), "ms", notes));
      out.add(Result.atMost(id(), "GET p99 @1000/s", r.p99(), "ms", P99_TARGET_MS, notes));
      out.add(Result.info(id(), "GET p99.9 @1000/s", r.p999(), "ms", CpuMeter.summary(cores)));
      out.add(Result.info(id(), "CPU per poll", CpuMeter.msPer(cores, r.achievedRate()), "ms",
          "all processes, mixed finished and running tasks at " + RATE + "/s"));
      finishedAgainstBaseline(ctx, out, stack, api, finished);
    }
  }

  /**
   * Polls of finished tasks (they never change again) beside a bare handler that answers one of them from memory:
   * p99 at the same rate and the highest rate each sustains (p99 <= {@link MaxRate#P99_LIMIT_MS} ms).
   */
  private void finishedAgainstBaseline(Context ctx, Outcome out, BenchStack stack, BenchApi api,
      List<String> finished) throws Exception {
    LoadGen.Call get = i -> api.get(finished.get((int) ((i * 7919) % finished.size())))
        .map(BenchApi.Response::status);
    double warm = ctx.pick(3, 1);
    double measure = ctx.pick(10, 2);
    LoadResult done = LoadGen.run(ctx.vertx(), new LoadGen.Spec("poll-finished@" + RATE, RATE, warm, measure), get);
    Log.info("  %s", done.oneLine());
    MaxRate.Search apiMax = MaxRate.search(ctx.vertx(), "poll-finished", get, 500, ctx.pick(20_000, 4_000),
        ctx.pick(1.5, 2), ctx.pick(1.5, 0.5), ctx.pick(5, 1.5), !ctx.quick());
    BenchApi.Response sample = api.get(finished.get(0)).toCompletionStage().toCompletableFuture()
        .get(10, java.util.concurrent.TimeUnit.SECONDS);
    try (BaselineServer baseline = BaselineServer.start(stack.bootstrapServers(), sample.body())) {
      BenchApi bare = new BenchApi(ctx.http(), java.net.URI.create("http://127.0.0.1:" + baseline.port()), "unused");
      LoadGen.Call bareGet = i -> bare.get(finished.get((int) ((i * 7919) % finished.size())))
          .map(BenchApi.Response::status);
      LoadGen.prime(ctx.vertx(), "poll-baseline", bareGet, RATE / 2.0, ctx.pick(3, 1));
      CpuMeter cpu = CpuMeter.start();
      LoadResult base = LoadGen.run(ctx.vertx(), new LoadGen.Spec("poll-baseline@" + RATE, RATE, warm, measure),
          bareGet);
      var cores = cpu.stop();
      Log.info("  %s", base.oneLine());
      MaxRate.Search baseMax = MaxRate.search(ctx.vertx(), "poll-baseline", bareGet, Math.max(500,
          apiMax.maxRate()), ctx.pick(20_000, 4_000), 2, ctx.pick(1.5, 0.5), ctx.pick(5, 1.5), !ctx.quick());
      out.detail("finished_at_" + RATE, done.toJson());
      out.detail("baseline_at_" + RATE, base.toJson());
      out.add(Result.info(id(), "GET finished p99 @1000/s", done.p99(), "ms", String.format(
          "bare handler p99 %.2f ms (a %d-byte task answer from memory, CPU %.3f ms per GET)", base.p99(),
          sample.body().length(), CpuMeter.msPer(cores, base.achievedRate()))));
      out.add(Result.atMost(id(), "GET finished p99 / baseline", done.p99() / base.p99(), "", P99_RATIO_TARGET,
          "both at " + RATE + "/s in this run"));
      out.add(Result.info(id(), "poll capacity (finished)", apiMax.maxRate(), "req/s",
          "p99 <= " + Report.number(MaxRate.P99_LIMIT_MS) + " ms, <= 1% failures; bare handler "
              + Report.number(baseMax.maxRate()) + (baseMax.capped() ? " (capped by the generator)" : "")));
      out.add(Result.atLeast(id(), "poll capacity / baseline", apiMax.maxRate() / baseMax.maxRate(), "",
          CAPACITY_RATIO_TARGET, "same machine, same run"));
    }
  }
}
