package io.imagegen.bench;

import java.util.Map;

/**
 * P1: how much of its concurrency limit one worker turns into throughput. With a model that takes L and
 * {@code IMAGEGEN_WORKER_MAX_IN_FLIGHT} = N, the ceiling is N / L jobs per second; anything below it is dispatch,
 * storage and scheduling overhead. The variant (1 s model) asks for 1000 jobs/s, more than the storage of a
 * 2-core box sustains, so a second variant (10 s model, ceiling 100/s) shows the engine's own efficiency where the
 * model, not the machine, is the bound.
 */
final class P1Concurrency implements Scenario {
  private static final int IN_FLIGHT = 1000;
  private static final double RATIO_TARGET = 0.9;

  private final String id;
  private final int latencySeconds;
  private final int tasks;
  private final double settleSeconds;
  private final double windowSeconds;

  private P1Concurrency(String id, int latencySeconds, int tasks, double settleSeconds, double windowSeconds) {
    this.id = id;
    this.latencySeconds = latencySeconds;
    this.tasks = tasks;
    this.settleSeconds = settleSeconds;
    this.windowSeconds = windowSeconds;
  }

  /** The scenario: 1 s model, ceiling 1000 jobs/s; a slot takes about 8 s here (storage-bound). */
  static P1Concurrency machineBound() {
    return new P1Concurrency("P1", 1, 10_000, 16, 40);
  }

  /**
   * 10 s model, ceiling 100 jobs/s; the window starts two and a half model latencies after the first result, once
   * the first waves have smeared out, and spans eight.
   */
  static P1Concurrency modelBound() {
    return new P1Concurrency("P1b", 10, 12_000, 25, 80);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String title() {
    return "one worker's throughput vs in-flight / model latency (" + IN_FLIGHT + " in flight, " + latencySeconds
        + " s model)";
  }

  @Override
  public void run(Context ctx, Outcome out) throws Exception {
    int queued = ctx.pick(tasks, 2_000);
    Map<String, String> env = Map.of(
        "IMAGEGEN_DEMO_LATENCY", latencySeconds + "s",
        "IMAGEGEN_WORKER_MAX_IN_FLIGHT", Integer.toString(IN_FLIGHT),
        // Finer steps for the committed-offset counter; four small async commits a second cost nothing.
        "IMAGEGEN_COMMIT_INTERVAL", "250ms");
    try (BenchStack stack = BenchStack.start(ctx, id(), env);
        GroupProgress progress = new GroupProgress(stack.bootstrapServers(), stack.groupId())) {
      Backlog.Measured m = Backlog.measure(ctx, ctx.api(stack), progress, stack.jobsTopic(), queued, IN_FLIGHT,
          () -> stack.addWorkers(1, Map.of()), () -> { }, ctx.pick(settleSeconds, 1.0), ctx.pick(windowSeconds, 2));
      out.detail("backlog", m.toJson().put("tasks", queued));
      double ceiling = (double) IN_FLIGHT / latencySeconds;
      String notes = String.format("%d queued tasks, ceiling %.0f/s, window %.1f s; each job = 4 S3 PUTs, "
          + "S3 here manages ~%.0f ops/s; %s", queued, ceiling, m.windowSeconds(), StackWarmer.lastS3OpsPerSecond,
          CpuMeter.summary(m.cores()));
      out.add(Result.info(id(), "worker throughput", m.perSecond(), "jobs/s", notes));
      out.add(Result.atLeast(id(), "throughput / (in-flight / latency)", m.perSecond() / ceiling, "", RATIO_TARGET,
          "counted from committed offsets (contiguous finished prefix per partition)"));
      out.add(Result.info(id(), "slot time / model latency", m.slots().mean(SlotTimes.SLOT) / latencySeconds, "",
          m.slotSummary(IN_FLIGHT) + " (the workers' own timers over the window)"));
    }
  }
}
