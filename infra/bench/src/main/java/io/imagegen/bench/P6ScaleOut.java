package io.imagegen.bench;

import io.imagegen.api.ApiMain;
import io.imagegen.worker.WorkerMain;
import io.vertx.core.json.JsonArray;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * P6: 1, 2 and 3 workers sharing the jobs topic's partitions, each limited to 100 jobs in flight with a 1 s model,
 * so the model latency (not the CPU) should be the bound and throughput should grow with the worker count. Each step
 * gets its own topic, bucket, consumer group and api-service on the scenario's broker and S3 server, so nothing is
 * left over from the step before.
 */
final class P6ScaleOut implements Scenario {
  private static final int IN_FLIGHT = 100;
  private static final int PARTITIONS = 12;
  private static final double EFFICIENCY_TARGET = 0.9;

  @Override
  public String id() {
    return "P6";
  }

  @Override
  public String title() {
    return "scale-out: 1, 2, 3 workers (100 in flight each, 1 s model) on the same partitions";
  }

  @Override
  public void run(Context ctx, Outcome out) throws Exception {
    double window = ctx.pick(10, 2);
    double settle = ctx.pick(2, 1);
    JsonArray steps = new JsonArray();
    double single = Double.NaN;
    try (BenchStack stack = BenchStack.start(ctx, id(), Map.of())) {
      for (int n = 1; n <= 3; n++) {
        String unique = "p6-" + n + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 24);
        Map<String, String> env = new HashMap<>(Map.of(
            "IMAGEGEN_KAFKA_JOBS_TOPIC", "bench." + unique,
            "IMAGEGEN_S3_BUCKET", "bench-" + unique,
            "IMAGEGEN_WORKER_GROUP_ID", "bench-workers-" + unique,
            "IMAGEGEN_DEMO_LATENCY", "1s",
            "IMAGEGEN_WORKER_MAX_IN_FLIGHT", Integer.toString(IN_FLIGHT),
            "IMAGEGEN_COMMIT_INTERVAL", "250ms"));
        ApiMain.Running apiService = stack.addApi(env);
        BenchApi api = new BenchApi(ctx.http(), URI.create("http://127.0.0.1:" + apiService.port()),
            stack.apiKey());
        int workers = n;
        // Enough for the rebalance, the settling time and the window at the ideal rate, plus the in-flight tail.
        int tasks = (int) (IN_FLIGHT * n * (window + settle + ctx.pick(10, 5)));
        List<WorkerMain.Running> started = new ArrayList<>();
        double[] balanceSeconds = new double[1];
        try (GroupProgress progress = new GroupProgress(stack.bootstrapServers(), env.get("IMAGEGEN_WORKER_GROUP_ID"))) {
          Log.info("  %d worker(s):", n);
          Backlog.Measured m = Backlog.measure(ctx, api, progress, env.get("IMAGEGEN_KAFKA_JOBS_TOPIC"), tasks,
              IN_FLIGHT * n, () -> {
            started.addAll(stack.addWorkers(workers, env));
            return started;
          }, () -> balanceSeconds[0] = progress.awaitBalanced(workers, PARTITIONS, 60), settle, window);
          Log.info("  group balanced %.1f s after the workers started", balanceSeconds[0]);
          steps.add(m.toJson().put("workers", n).put("tasks", tasks).put("balance_seconds", balanceSeconds[0]));
          if (n == 1) {
            single = m.perSecond();
          }
          double ideal = n * IN_FLIGHT;
          String notes = String.format("ideal %.0f/s; group balanced after %.1f s; %s; %s; %s", ideal,
              balanceSeconds[0], m.method(), m.slotSummary(IN_FLIGHT * n), CpuMeter.summary(m.cores()));
          out.add(Result.info(id(), n + " worker(s) throughput", m.perSecond(), "jobs/s", notes));
          double ratio = m.perSecond() / single;
          out.add(n == 1
              ? Result.atLeast(id(), "1 worker / ideal", m.perSecond() / ideal, "", EFFICIENCY_TARGET,
                  "all workers share one JVM and the 2 cores with broker, S3Proxy and the load generator")
              : Result.atLeast(id(), n + " workers / 1 worker", ratio, "", EFFICIENCY_TARGET * n,
                  "ideal " + n + ".0; target " + EFFICIENCY_TARGET + " x ideal"));
        } finally {
          for (WorkerMain.Running worker : started) {
            stack.stop(worker);
          }
          stack.stop(apiService);
        }
      }
    }
    out.detail("steps", steps);
  }
}
