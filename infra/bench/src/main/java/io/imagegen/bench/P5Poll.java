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
    }
  }
}
