package io.imagegen.bench;

import java.util.Map;

/**
 * P1: how much of its concurrency limit one worker turns into throughput. With a model that takes L and
 * {@code IMAGEGEN_WORKER_MAX_IN_FLIGHT} = N, the ceiling is N / L jobs per second; anything below it is dispatch,
 * storage and scheduling overhead.
 */
final class P1Concurrency implements Scenario {
  private static final int IN_FLIGHT = 1000;
  private static final double LATENCY_SECONDS = 1;
  private static final double RATIO_TARGET = 0.9;

  @Override
  public String id() {
    return "P1";
  }

  @Override
  public String title() {
    return "one worker's throughput vs in-flight / model latency (1000 in flight, 1 s model)";
  }

  @Override
  public void run(Context ctx, Outcome out) throws Exception {
    int tasks = ctx.pick(10_000, 2_000);
    Map<String, String> env = Map.of(
        "IMAGEGEN_DEMO_LATENCY", "1s",
        "IMAGEGEN_WORKER_MAX_IN_FLIGHT", Integer.toString(IN_FLIGHT),
        // Finer steps for the committed-offset counter; four small async commits a second cost nothing.
        "IMAGEGEN_COMMIT_INTERVAL", "250ms");
    try (BenchStack stack = BenchStack.start(ctx, id(), env);
        GroupProgress progress = new GroupProgress(stack.bootstrapServers(), stack.groupId())) {
      Backlog.Measured m = Backlog.measure(ctx, ctx.api(stack), progress, tasks, IN_FLIGHT, () -> {
        try {
          return stack.addWorkers(1, Map.of());
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, () -> { }, ctx.pick(2, 1.0), ctx.pick(15, 2));
      out.detail("backlog", m.toJson().put("tasks", tasks));
      double ceiling = IN_FLIGHT / LATENCY_SECONDS;
      String notes = String.format("%d queued tasks, window %.1f s, ceiling %.0f/s; each job = 1 S3 GET + 3 PUTs, "
          + "S3 here manages ~%.0f ops/s; %s", tasks, m.windowSeconds(), ceiling, StackWarmer.lastS3OpsPerSecond,
          CpuMeter.summary(m.cores()));
      out.add(Result.info(id(), "worker throughput", m.perSecond(), "jobs/s", notes));
      out.add(Result.atLeast(id(), "throughput / (in-flight / latency)", m.perSecond() / ceiling, "", RATIO_TARGET,
          "counted from committed offsets (contiguous finished prefix per partition)"));
    }
  }
}
