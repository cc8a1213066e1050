package io.imagegen.bench;

import io.imagegen.fake.FakeUpstream;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * P7: what the gateway adds to a synchronous model. The fake vendor answers after a fixed latency L; it is called (a)
 * directly, as the worker would call it, and (b) through {@code POST /v1/images/generations} (task record, Kafka,
 * worker, vendor, image stored, result announced, answer), both open-loop at half the highest rate (b) sustains, in
 * the same run. The overhead is the difference of the two at each percentile: (b - L) - (a - L).
 */
final class P7SyncOverhead implements Scenario {
  private static final String MODEL = "bench-sync";
  private static final long LATENCY_MS = 200;
  /** The capacity bound for (b): the gateway may add at most this much at p99 while the rate is "sustained". */
  private static final double P99_BOUND_MS = LATENCY_MS + 200;
  private static final double P50_TARGET_MS = 10;
  private static final double P99_TARGET_MS = 30;

  @Override
  public String id() {
    return "P7";
  }

  @Override
  public String title() {
    return "gateway overhead on a sync model: vendor at fixed latency called directly vs through the API";
  }

  @Override
  public void run(Context ctx, Outcome out) throws Exception {
    try (FakeUpstreamProcess upstream = FakeUpstreamProcess.start(Path.of(System.getProperty(
        "imagegen.bench.out", "infra/bench/target")).resolve("bench-fake-upstream.log"))) {
      upstream.behave(new JsonObject().put("latency_ms", LATENCY_MS));
      Path catalog = Files.createTempFile("imagegen-bench-catalog-", ".json");
      Files.writeString(catalog, catalog(upstream.baseUrl()));
      Map<String, String> env = Map.of("IMAGEGEN_WORKER_MAX_IN_FLIGHT", "512",
          "IMAGEGEN_MODEL_CATALOG", catalog.toString(), "FAKE_UPSTREAM_KEY", FakeUpstream.API_KEY);
      try (BenchStack stack = BenchStack.start(ctx, id(), env)) {
        stack.addWorkers(1, Map.of());
        measure(ctx, out, stack, upstream);
      } finally {
        Files.deleteIfExists(catalog);
      }
    }
  }

  private void measure(Context ctx, Outcome out, BenchStack stack, FakeUpstreamProcess upstream) throws Exception {
    BenchApi api = ctx.api(stack);
    // Same prompt and size both ways, so the fake renders (and caches) the same image.
    Buffer through = Buffer.buffer(new JsonObject().put("model", MODEL).put("prompt", "bench sync")
        .put("size", "256x256").encode());
    Buffer direct = Buffer.buffer(new JsonObject().put("model", "gpt-image-1").put("prompt", "bench sync")
        .put("n", 1).put("size", "256x256").put("quality", "auto").encode());
    BenchApi vendor = new BenchApi(ctx.http(), URI.create(upstream.baseUrl()), FakeUpstream.API_KEY);
    AtomicLong sent = new AtomicLong();
    LoadGen.Call viaApi = i -> {
      sent.incrementAndGet();
      return api.send(HttpMethod.POST, BenchApi.SUBMIT_PATH, through).map(BenchApi.Response::status);
    };
    LoadGen.Call toVendor = i -> vendor.send(HttpMethod.POST, "/v1/images/generations", direct)
        .map(BenchApi.Response::status);
    // Gently: a cold sync path at full rate builds a backlog that takes longer to drain than the priming lasts.
    LoadGen.prime(ctx.vertx(), "sync", viaApi, 5, ctx.pick(10, 3));
    LoadGen.prime(ctx.vertx(), "vendor", toVendor, 20, ctx.pick(3, 1));

    Log.info("  sync max-rate search (p99 <= %.0f ms, <= 1 %% failures, >= 95 %% served)", P99_BOUND_MS);
    MaxRate.Search max = MaxRate.search(ctx.vertx(), "sync", viaApi, 8, ctx.pick(4_000, 400), ctx.pick(1.5, 2),
        ctx.pick(2, 1), ctx.pick(6, 4), !ctx.quick(), P99_BOUND_MS);
    double rate = Math.max(5, Math.floor(max.maxRate() / 2));
    double warm = ctx.pick(3, 1);
    double measure = ctx.pick(20, 4);
    LoadResult a = LoadGen.run(ctx.vertx(), new LoadGen.Spec("vendor@" + (long) rate, rate, warm, measure),
        toVendor);
    Log.info("  %s", a.oneLine());
    Map<String, Long> s3Before = stack.s3Requests();
    long sentBefore = sent.get();
    CpuMeter cpu = CpuMeter.start();
    LoadResult b = LoadGen.run(ctx.vertx(), new LoadGen.Spec("sync@" + (long) rate, rate, warm, measure), viaApi);
    var cores = cpu.stop();
    Log.info("  %s", b.oneLine());
    // Image records are written after the answer went out; give the last ones a moment to land.
    Thread.sleep(2000);
    long requests = sent.get() - sentBefore;
    S3Requests s3 = S3Requests.between(s3Before, stack.s3Requests());
    Log.info("  S3 requests per sync request: %.2f (%s); %s", s3.per(requests), s3.perUnit(requests),
        CpuMeter.summary(cores));
    out.detail("max_steps", steps(max));
    out.detail("direct", a.toJson());
    out.detail("through_api", b.toJson());
    out.detail("cpu", CpuMeter.toJson(cores));
    out.detail("s3_requests_per_sync_request", s3.toJson(requests));
    String notes = String.format("L = %d ms; both at %.0f/s = half the %.0f/s the API sustains (p99 <= %.0f ms); "
        + "direct p50 %.1f / p99 %.1f, through p50 %.1f / p99 %.1f ms", LATENCY_MS, rate, max.maxRate(),
        P99_BOUND_MS, a.p50(), a.p99(), b.p50(), b.p99());
    out.add(Result.info(id(), "sync max sustained rate", max.maxRate(), "req/s",
        "p99 <= L + 200 ms, one worker; " + (ctx.quick() ? "quick: coarse steps" : "steps x1.5 then a midpoint")));
    out.add(Result.atMost(id(), "gateway overhead p50", b.p50() - a.p50(), "ms", P50_TARGET_MS, notes));
    out.add(Result.atMost(id(), "gateway overhead p99", b.p99() - a.p99(), "ms", P99_TARGET_MS, notes));
    out.add(Result.info(id(), "CPU per sync request", CpuMeter.msPer(cores, b.achievedRate()), "ms",
        "all processes, the fake vendor included"));
    out.add(Result.info(id(), "S3 requests per sync request", s3.per(requests), "",
        s3.perUnit(requests) + "; GET images is the API inlining the image as b64_json"));
  }

  private static io.vertx.core.json.JsonArray steps(MaxRate.Search search) {
    io.vertx.core.json.JsonArray steps = new io.vertx.core.json.JsonArray();
    search.steps().forEach(s -> steps.add(s.toJson()));
    return steps;
  }

  /** One synchronous model on the fake vendor, with limits far above the rates tried. */
  private static String catalog(String baseUrl) {
    return """
        {"models": [{"id": "%s", "name": "%s", "author": "bench", "slug": "%s",
          "provider": "openai-compatible", "upstream_model": "gpt-image-1",
          "base_url": "%s", "api_key_env": "FAKE_UPSTREAM_KEY", "async_only": false,
          "limits": {"max_n": 1, "max_prompt_length": 4000, "sizes": ["256x256"], "max_input_images": 0},
          "defaults": {"size": "256x256", "quality": "auto"},
          "params": {"quality": ["auto"]},
          "timeouts": {"attempt": "30s", "deadline": "2m"},
          "concurrency": {"max_in_flight": 4000, "requests_per_minute": 0},
          "pricing": {"per_image": 0, "currency": "USD"}}]}
        """.formatted(MODEL, MODEL, MODEL, baseUrl);
  }
}
