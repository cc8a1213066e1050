package io.imagegen.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code run-bench.sh [scenario...] [--quick]}: runs the named scenarios (all by default), each against its own
 * freshly started stack, prints a table of figures against their targets and writes them as JSON.
 */
public final class BenchMain {
  private static final List<Scenario> ALL = List.of(P1Concurrency.machineBound(), P1Concurrency.modelBound(),
      new P2Dispatch(), new P3Submit(), new P4Memory(), new P5Poll(), new P6ScaleOut(), new P7SyncOverhead());

  private BenchMain() {
  }

  public static void main(String[] args) throws Exception {
    Locale.setDefault(Locale.ROOT);
    boolean quick = false;
    boolean check = false;
    List<Scenario> chosen = new ArrayList<>();
    for (String arg : args) {
      if (arg.equals("--quick")) {
        quick = true;
      } else if (arg.equals("--check")) {
        check = true;
      } else if (arg.equals("--help") || arg.equals("-h")) {
        usage();
        return;
      } else {
        Scenario scenario = ALL.stream().filter(s -> s.id().equalsIgnoreCase(arg)).findFirst().orElse(null);
        if (scenario == null) {
          System.err.println("unknown scenario '" + arg + "'");
          usage();
          System.exit(2);
        }
        chosen.add(scenario);
      }
    }
    if (chosen.isEmpty()) {
      chosen.addAll(ALL);
    }
    // A Ctrl-C must not leave brokers or S3 servers behind: they are this JVM's children.
    Runtime.getRuntime().addShutdownHook(new Thread(
        () -> ProcessHandle.current().children().forEach(ProcessHandle::destroy), "bench-children"));
    System.exit(run(chosen, quick, check) ? 0 : 1);
  }

  private static boolean run(List<Scenario> chosen, boolean quick, boolean check) throws Exception {
    Instant started = Instant.now();
    JsonObject machine = Report.machine();
    System.out.println(Report.machineLine(machine));
    // One event loop for the whole load generator, so its CPU can be told apart from the services'.
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    vertx.runOnContext(ignored -> CpuMeter.GENERATOR_THREADS.add(Thread.currentThread().getId()));
    // Many connections and no pipelining: a slow answer must never hold up the requests behind it.
    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setPipelining(false),
        new PoolOptions().setHttp1MaxSize(1024));
    Scenario.Context context = new Scenario.Context(vertx, http, quick);
    Map<String, Scenario.Outcome> outcomes = new LinkedHashMap<>();
    boolean allRan = true;
    for (Scenario scenario : chosen) {
      Log.info("=== %s %s%s", scenario.id(), scenario.title(), quick ? " (quick)" : "");
      Scenario.Outcome outcome = new Scenario.Outcome();
      long begin = System.nanoTime();
      try {
        scenario.run(context, outcome);
      } catch (Exception | Error e) {
        allRan = false;
        outcome.error = e.toString();
        outcome.add(new Result(scenario.id(), "error", Double.NaN, "", "-", false, e.toString()));
        Log.info("%s failed: %s", scenario.id(), e);
        e.printStackTrace(System.out);
      }
      outcome.seconds = Math.round((System.nanoTime() - begin) / 1e8) / 10.0;
      outcomes.put(scenario.id(), outcome);
      Log.info("%s done in %.0f s", scenario.id(), outcome.seconds);
      System.gc();
    }
    BenchStack.closeShared();
    http.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    System.out.println();
    System.out.println(Report.machineLine(machine));
    List<Result> all = new ArrayList<>();
    outcomes.values().forEach(o -> all.addAll(o.results));
    Report.printTable(all);
    Path out = Path.of(System.getProperty("imagegen.bench.out", "infra/bench/target"));
    Path file = Report.write(out, machine, quick, chosen.stream().map(Scenario::id).toList(), outcomes, started);
    System.out.printf("%nResults: %s (and a timestamped copy); total %.0f s%n", file.toAbsolutePath(),
        (Instant.now().toEpochMilli() - started.toEpochMilli()) / 1000.0);
    return allRan & (!check || guard(chosen, all, quick));
  }

  /** Prints the guard's verdicts; false when a figure regressed past its limit (or a scenario failed to give it). */
  private static boolean guard(List<Scenario> chosen, List<Result> all, boolean quick) throws Exception {
    Path targets = Path.of(System.getProperty("imagegen.bench.targets", "infra/bench/bench-targets.json"));
    List<Guard.Verdict> verdicts = Guard.check(targets, chosen.stream().map(Scenario::id)
        .collect(java.util.stream.Collectors.toSet()), all, quick);
    System.out.printf("%nCheck against %s:%n", targets);
    verdicts.forEach(v -> System.out.println("  " + v.line()));
    boolean passed = verdicts.stream().allMatch(Guard.Verdict::passed);
    System.out.println(passed ? "check passed" : "check FAILED: a figure regressed past its limit (see above)");
    return passed;
  }

  private static void usage() {
    System.out.println("usage: infra/bench/run-bench.sh [scenario...] [--quick] [--check]");
    System.out.println("  --check  exit 1 when a figure regresses past its limit in infra/bench/bench-targets.json");
    for (Scenario s : ALL) {
      System.out.println("  " + s.id() + "  " + s.title());
    }
  }
}
