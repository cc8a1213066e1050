package io.imagegen.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.util.Map;

/**
 * P3: POST latency at fixed rates and the highest sustained rate, beside a bare produce-only server on the same
 * broker. No worker runs (jobs just accumulate), so the api-service is measured alone, as the baseline is.
 */
final class P3Submit implements Scenario {
  private static final double P99_TARGET_MS = 20;
  private static final double RATIO_TARGET = 0.5;
  /** Submit p99 at 500/s over the bare handler's in the same run (docs/performance.md#targets). */
  private static final double P99_RATIO_TARGET = 3;

  @Override
  public String id() {
    return "P3";
  }

  @Override
  public String title() {
    return "submit latency at 100 and 500 req/s, max sustained rate vs a bare produce-only baseline";
  }

  @Override
  public void run(Context ctx, Outcome out) throws Exception {
    double warm = ctx.pick(5, 1);
    double measure = ctx.pick(20, 2);
    double stepWarm = ctx.pick(1.5, 0.5);
    double stepMeasure = ctx.pick(5, 1.5);
    double cap = ctx.pick(20_000, 4_000);
    try (BenchStack stack = BenchStack.start(ctx, id(), Map.of())) {
      BenchApi api = ctx.api(stack);
      // Same size every time (fixed-width counter), like a real client's requests.
      LoadGen.Call submit = i -> api.submit(BenchApi.body(String.format("bench submit %08d", i), "64x64"))
          .map(BenchApi.Response::status);
      // Warm the api-service's submit path (JIT, S3 connections) without measuring.
      LoadGen.prime(ctx.vertx(), "api", submit, 100, ctx.pick(8, 2));
      CpuMeter cpu = null;
      LoadResult apiAt500 = null;
      for (int rate : new int[] {100, 500}) {
        if (rate == 500) {
          cpu = CpuMeter.start();
        }
        LoadResult r = LoadGen.run(ctx.vertx(), new LoadGen.Spec("api@" + rate, rate, warm, measure), submit);
        Log.info("  %s", r.oneLine());
        out.detail("api_at_" + rate, r.toJson());
        apiAt500 = r;
        String notes = String.format("achieved %.0f/s, %d non-2xx, %d errors", r.achievedRate(), r.non2xx(),
            r.errors());
        out.add(Result.info(id(), "POST p50 @" + rate + "/s", r.p50(), "ms", notes));
        out.add(rate == 500
            ? Result.atMost(id(), "POST p99 @500/s", r.p99(), "ms", P99_TARGET_MS, notes)
            : Result.info(id(), "POST p99 @100/s", r.p99(), "ms", notes));
        out.add(Result.info(id(), "POST p99.9 @" + rate + "/s", r.p999(), "ms", notes));
      }
      var cores = cpu.stop();
      out.detail("cpu_at_500", CpuMeter.toJson(cores));
      double apiCpu = CpuMeter.msPer(cores, apiAt500.achievedRate());
      Log.info("  %s", CpuMeter.summary(cores));

      Log.info("  api max-rate search (p99 <= %.0f ms, <= 1 %% failures, >= 95 %% served)", MaxRate.P99_LIMIT_MS);
      MaxRate.Search apiMax = MaxRate.search(ctx.vertx(), "api", submit, 250, cap, ctx.pick(1.5, 2),
          stepWarm, stepMeasure, !ctx.quick());
      out.detail("api_steps", steps(apiMax));

      try (BaselineServer baseline = BaselineServer.start(stack.bootstrapServers())) {
        URI base = URI.create("http://127.0.0.1:" + baseline.port());
        BenchApi plain = new BenchApi(ctx.http(), base, "unused");
        Buffer body = Buffer.buffer(BenchApi.body("bench submit 00000000", "64x64"));
        LoadGen.Call produce = i -> plain.send(HttpMethod.POST, BenchApi.SUBMIT_PATH, body)
            .map(BenchApi.Response::status);
        CpuMeter baseCpu = CpuMeter.start();
        LoadResult at500 = LoadGen.run(ctx.vertx(), new LoadGen.Spec("baseline@500", 500, ctx.pick(3, 1),
            ctx.pick(10, 2)), produce);
        var baseCores = baseCpu.stop();
        Log.info("  %s", at500.oneLine());
        double baselineCpu = CpuMeter.msPer(baseCores, at500.achievedRate());
        out.add(Result.info(id(), "CPU per submit", apiCpu, "ms", String.format("all processes at 500/s; bare "
            + "handler %.2f ms, ratio %.1f", baselineCpu, apiCpu / baselineCpu)));
        out.add(Result.atMost(id(), "POST p99 @500/s / baseline", apiAt500.p99() / at500.p99(), "",
            P99_RATIO_TARGET, "both measured in this run"));
        out.detail("baseline_at_500", at500.toJson());
        out.add(Result.info(id(), "baseline p99 @500/s", at500.p99(), "ms",
            "bare Vert.x + idempotent acks=all produce, same broker"));
        try (BaselineServer storing = BaselineServer.storing(stack.bootstrapServers(), stack.envWith(Map.of()))) {
          BenchApi storingApi = new BenchApi(ctx.http(), URI.create("http://127.0.0.1:" + storing.port()), "unused");
          LoadGen.Call storeAndProduce = i -> storingApi.send(HttpMethod.POST, BenchApi.SUBMIT_PATH, body)
              .map(BenchApi.Response::status);
          LoadResult stored = LoadGen.run(ctx.vertx(), new LoadGen.Spec("baseline+write@500", 500,
              ctx.pick(3, 1), ctx.pick(10, 2)), storeAndProduce);
          Log.info("  %s", stored.oneLine());
          out.detail("baseline_with_write_at_500", stored.toJson());
          out.add(Result.info(id(), "baseline with task write p99 @500/s", stored.p99(), "ms",
              "the bare handler plus the one durable write the design needs before answering (PUT tasks/{id}.json, "
                  + "If-None-Match *, same S3 server)"));
          out.add(Result.info(id(), "POST p99 @500/s / baseline with task write", apiAt500.p99() / stored.p99(), "",
              "what the service adds beyond the storage write: holds across boxes whose S3 differ"));
        }
        Log.info("  baseline max-rate search");
        // It does a subset of the api-service's work, so start at the api's rate and double: fewer steps.
        MaxRate.Search baseMax = MaxRate.search(ctx.vertx(), "baseline", produce, Math.max(250, apiMax.maxRate()),
            cap, 2, stepWarm, stepMeasure, !ctx.quick());
        out.detail("baseline_steps", steps(baseMax));
        out.add(Result.info(id(), "api max sustained rate", apiMax.maxRate(), "req/s",
            (ctx.quick() ? "quick: coarse steps x2; " : "steps x1.5 then one midpoint; ")
                + "p99 <= 100 ms, <= 1% failures, >= 95% served; no worker running"));
        out.add(Result.info(id(), "baseline max sustained rate", baseMax.maxRate(), "req/s",
            (baseMax.capped() ? "capped by the generator limit; " : "")
                + "same machine: generator, broker and server share the cores"));
        double ratio = baseMax.maxRate() == 0 ? Double.NaN : apiMax.maxRate() / baseMax.maxRate();
        out.add(Result.atLeast(id(), "max rate api / baseline", ratio, "", RATIO_TARGET,
            "record size " + recordSize() + " B as a real job"));
      }
    }
  }

  private static io.vertx.core.json.JsonArray steps(MaxRate.Search search) {
    io.vertx.core.json.JsonArray steps = new io.vertx.core.json.JsonArray();
    search.steps().forEach(s -> steps.add(s.toJson()));
    return steps;
  }

  private static int recordSize() {
    return io.imagegen.common.json.Json.toBytes(BaselineServer.job("image_000000000000000000000000")).length;
  }
}
