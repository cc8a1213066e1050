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
 * P6: 1, 2 and 3 workers sharing the jobs topic's partitions, each limited to 100 jobs in flight with a 5 s model,
 * so the model latency (not the CPU) should be the bound and throughput should grow with the worker count. A job
 * also holds its slot for five storage round trips (0.2 s unloaded, more as the two cores fill up); with a 1 s model
 * that alone kept one worker at 0.55 to 0.84 of in-flight / latency, i.e. storage, not the model, was the bound. Each step
 * gets its own topic, bucket, consumer group and api-service on the scenario's broker and S3 server, so nothing is
 * left over from the step before.
 */
final class P6ScaleOut implements Scenario {
  private static final int IN_FLIGHT = 100;
  private static final int PARTITIONS = 12;
  private static final int LATENCY_SECONDS = 5;
  private static final double EFFICIENCY_TARGET = 0.9;

  @Override
  public String id() {
    return "P6";
  }

  @Override
  public String title() {
    return "scale-out: 1, 2, 3 workers (100 in flight each, " + LATENCY_SECONDS + " s model) on the same partitions";
  }

  /** One step's figures. */
  private record Step(Backlog.Measured measured, int tasks, double balanceSeconds, double ideal) {
  }

  @Override
  public void run(Context ctx, Outcome out) throws Exception {
    // Six turnovers of the in-flight set at the ideal rate.
    double window = ctx.pick(6 * LATENCY_SECONDS, 2);
    // The backlog's first waves (every slot taken at once) smear out over two slot times.
    double settle = ctx.pick(2 * LATENCY_SECONDS, 1);
    JsonArray steps = new JsonArray();
    double single = Double.NaN;
    try (BenchStack stack = BenchStack.start(ctx, id(), Map.of())) {
      // The stack's warm-up covers S3 and Kafka, not the api and worker code paths: without this pass the first
      // (single-worker) step ran on colder code than the later ones and read 10 % low.
      Log.info("  warm-up pass (not reported):");
      step(ctx, stack, 1, 1, ctx.pick(5, 1), 1);
      for (int n = 1; n <= 3; n++) {
        Step step = step(ctx, stack, n, LATENCY_SECONDS, window, settle);
        Backlog.Measured m = step.measured();
        steps.add(m.toJson().put("workers", n).put("tasks", step.tasks())
            .put("balance_seconds", step.balanceSeconds()));
        if (n == 1) {
          single = m.perSecond();
        }
        String notes = String.format("ideal %.0f/s; group balanced after %.1f s; window %.1f s; %s; %s",
            step.ideal(), step.balanceSeconds(), m.windowSeconds(), m.slotSummary(IN_FLIGHT * n),
            CpuMeter.summary(m.cores()));
        out.add(Result.info(id(), n + " worker(s) throughput", m.perSecond(), "jobs/s", notes));
        out.add(n == 1
            ? Result.atLeast(id(), "1 worker / ideal", m.perSecond() / step.ideal(), "", EFFICIENCY_TARGET,
                "all workers share one JVM and the 2 cores with broker, S3Proxy and the load generator")
            : Result.atLeast(id(), n + " workers / 1 worker", m.perSecond() / single, "", EFFICIENCY_TARGET * n,
                "ideal " + n + ".0; target " + EFFICIENCY_TARGET + " x ideal"));
      }
    }
    out.detail("steps", steps);
  }

  /** {@code n} workers on a topic, bucket, group and api-service of their own, measured on a backlog. */
  private static Step step(Context ctx, BenchStack stack, int n, int latencySeconds, double window, double settle)
      throws Exception {
    String unique = "p6-" + n + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 24);
    Map<String, String> env = new HashMap<>(Map.of(
        "IMAGEGEN_KAFKA_JOBS_TOPIC", "bench." + unique,
        "IMAGEGEN_S3_BUCKET", "bench-" + unique,
        "IMAGEGEN_WORKER_GROUP_ID", "bench-workers-" + unique,
        "IMAGEGEN_DEMO_LATENCY", latencySeconds + "s",
        "IMAGEGEN_WORKER_MAX_IN_FLIGHT", Integer.toString(IN_FLIGHT),
        "IMAGEGEN_COMMIT_INTERVAL", "250ms"));
    ApiMain.Running apiService = stack.addApi(env);
    BenchApi api = new BenchApi(ctx.http(), URI.create("http://127.0.0.1:" + apiService.port()), stack.apiKey());
    // Enough for the first turnover, the rebalance, the settling time and the window at the ideal rate, plus the
    // in-flight tail that the measurement leaves alone.
    double ideal = (double) n * IN_FLIGHT / latencySeconds;
    int tasks = (int) (ideal * (latencySeconds + ctx.pick(5, 3) + settle + window) + 1.2 * IN_FLIGHT * n);
    List<WorkerMain.Running> started = new ArrayList<>();
    double[] balanceSeconds = new double[1];
    try (GroupProgress progress = new GroupProgress(stack.bootstrapServers(), env.get("IMAGEGEN_WORKER_GROUP_ID"))) {
      Log.info("  %d worker(s), %d s model:", n, latencySeconds);
      Backlog.Measured m = Backlog.measure(ctx, api, progress, env.get("IMAGEGEN_KAFKA_JOBS_TOPIC"), tasks,
          IN_FLIGHT * n, () -> {
            started.addAll(stack.addWorkers(n, env));
            return started;
          }, () -> balanceSeconds[0] = progress.awaitBalanced(n, PARTITIONS, 60), settle, window);
      Log.info("  group balanced %.1f s after the workers started", balanceSeconds[0]);
      return new Step(m, tasks, balanceSeconds[0], ideal);
    } finally {
      for (WorkerMain.Running worker : started) {
        stack.stop(worker);
      }
      stack.stop(apiService);
    }
  }
}
