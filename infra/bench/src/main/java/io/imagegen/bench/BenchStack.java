package io.imagegen.bench;

import io.imagegen.api.ApiMain;
import io.imagegen.local.LocalStack;
import io.imagegen.worker.WorkerMain;
import io.vertx.core.Future;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One scenario's system, always with its own topic, bucket and consumer group. Normally a fresh {@link LocalStack}
 * (broker, S3 server, api-service) in a fresh temporary directory, warmed up first. In quick mode one stack is
 * shared by all scenarios, each getting its own api-service on its own topic and bucket, because starting and
 * stopping six stacks alone would take longer than the two minutes a smoke run has. Workers are always started by
 * the scenario ({@link #addWorkers}) once the work it wants them to find is queued.
 */
final class BenchStack implements AutoCloseable {
  private static LocalStack shared;
  private static Path sharedDir;

  private final LocalStack stack;
  private final Path dir;
  private final String apiKey;
  private final Map<String, String> scenarioEnv;
  private final ApiMain.Running ownApi;
  private final List<AutoCloseable> extras = new ArrayList<>();

  private BenchStack(LocalStack stack, Path dir, String apiKey, Map<String, String> scenarioEnv,
      ApiMain.Running ownApi) {
    this.stack = stack;
    this.dir = dir;
    this.apiKey = apiKey;
    this.scenarioEnv = scenarioEnv;
    this.ownApi = ownApi;
  }

  /** Starts the system for {@code scenario} with {@code env} for both services (no worker yet). */
  static BenchStack start(Scenario.Context ctx, String scenario, Map<String, String> env) throws Exception {
    Map<String, String> all = new HashMap<>(unique(scenario));
    all.putAll(env);
    long started = System.nanoTime();
    if (ctx.quick()) {
      if (shared == null) {
        sharedDir = Files.createTempDirectory("imagegen-bench-shared-");
        shared = startStack(LocalStack.Options.defaults(sharedDir).withWorkers(0), sharedDir);
        StackWarmer.warm(shared, 3);
      }
      ApiMain.Running api = startApi(shared, all);
      Log.info("%s: api-service on the shared stack in %.1f s", scenario, (System.nanoTime() - started) / 1e9);
      return new BenchStack(shared, null, LocalStack.Options.defaults(sharedDir).apiKey(), all, api);
    }
    Path dir = Files.createTempDirectory("imagegen-bench-" + scenario.toLowerCase() + "-");
    LocalStack.Options options = LocalStack.Options.defaults(dir).withWorkers(0).withEnv(all);
    LocalStack stack = startStack(options, dir);
    Log.info("%s: stack up in %.1f s (data in %s)", scenario, (System.nanoTime() - started) / 1e9, dir);
    try {
      // A fresh S3Proxy and broker are cold JVMs: they run several times slower for their first seconds of load.
      StackWarmer.warm(stack, 10);
    } catch (Exception | Error e) {
      stack.close();
      delete(dir);
      throw e;
    }
    return new BenchStack(stack, dir, options.apiKey(), all, null);
  }

  /** Stops the stack shared by quick-mode scenarios, if one was started. */
  static void closeShared() {
    if (shared != null) {
      shared.close();
      delete(sharedDir);
      shared = null;
    }
  }

  private static Map<String, String> unique(String scenario) {
    String unique = scenario.toLowerCase() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 24);
    // The per-key limits protect a shared deployment; here the one load generator is the only client and its
    // rates are the thing being measured, so the buckets are sized far above any rate a scenario sends.
    return Map.of("IMAGEGEN_KAFKA_JOBS_TOPIC", "bench." + unique,
        "IMAGEGEN_S3_BUCKET", "bench-" + unique,
        "IMAGEGEN_WORKER_GROUP_ID", "bench-workers-" + unique,
        "IMAGEGEN_RATE_LIMIT_SUBMITS_PER_SECOND", "1000000",
        "IMAGEGEN_RATE_LIMIT_SUBMIT_BURST", "1000000",
        "IMAGEGEN_RATE_LIMIT_READS_PER_SECOND", "1000000",
        "IMAGEGEN_RATE_LIMIT_READ_BURST", "1000000");
  }

  private static LocalStack startStack(LocalStack.Options options, Path dir) throws Exception {
    try {
      return LocalStack.start(options);
    } catch (Exception | Error e) {
      delete(dir);
      throw e;
    }
  }

  private static ApiMain.Running startApi(LocalStack stack, Map<String, String> overrides) throws Exception {
    Map<String, String> env = new HashMap<>(stack.serviceEnv());
    env.putAll(overrides);
    env.put("IMAGEGEN_HTTP_PORT", "0");
    return ApiMain.start(env).toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
  }

  URI apiBase() {
    return ownApi == null ? stack.apiBase() : URI.create("http://127.0.0.1:" + ownApi.port());
  }

  String apiKey() {
    return apiKey;
  }

  String bootstrapServers() {
    return stack.kafka().bootstrapServers();
  }

  String jobsTopic() {
    return envWith(Map.of()).get("IMAGEGEN_KAFKA_JOBS_TOPIC");
  }

  String groupId() {
    return envWith(Map.of()).get("IMAGEGEN_WORKER_GROUP_ID");
  }

  /** Requests the S3 server received for this scenario's bucket so far, per method and key prefix. */
  Map<String, Long> s3Requests() {
    return stack.s3().requests(envWith(Map.of()).get("IMAGEGEN_S3_BUCKET"));
  }

  /** The services' environment for this scenario with {@code overrides} on top. */
  Map<String, String> envWith(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>(stack.serviceEnv());
    env.putAll(scenarioEnv);
    env.putAll(overrides);
    return env;
  }

  /** Starts {@code count} workers at once (this scenario's group unless overridden); they stop with the stack. */
  List<WorkerMain.Running> addWorkers(int count, Map<String, String> overrides) throws Exception {
    List<Future<WorkerMain.Running>> starting = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      starting.add(WorkerMain.start(envWith(overrides)));
    }
    List<WorkerMain.Running> running = new ArrayList<>();
    for (Future<WorkerMain.Running> future : starting) {
      WorkerMain.Running worker = future.toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
      running.add(worker);
      extras.add(worker);
    }
    return running;
  }

  /** Starts another api-service on this broker and S3 server (e.g. on its own topic); it stops with the stack. */
  ApiMain.Running addApi(Map<String, String> overrides) throws Exception {
    ApiMain.Running api = startApi(stack, envWith(overrides));
    extras.add(api);
    return api;
  }

  /** Stops an extra service now rather than with the stack. */
  void stop(AutoCloseable service) throws Exception {
    if (extras.remove(service)) {
      service.close();
    }
  }

  @Override
  public void close() {
    for (int i = extras.size() - 1; i >= 0; i--) {
      try {
        extras.get(i).close();
      } catch (Exception e) {
        Log.info("stopping a service failed: %s", e);
      }
    }
    extras.clear();
    if (ownApi != null) {
      ownApi.close();
    }
    if (dir != null) {
      stack.close();
      delete(dir);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      Log.info("could not delete %s: %s", dir, e);
    }
  }
}
