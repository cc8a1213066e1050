package io.imagegen.worker;

import io.imagegen.common.observability.LogSettings;
import io.imagegen.common.config.Env;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.queue.KafkaSettings;
import io.imagegen.common.storage.S3Settings;
import io.imagegen.worker.tasks.RetryPolicy;
import io.imagegen.worker.webhooks.WebhookSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Everything the worker-service reads from its environment, validated once at start-up. */
record WorkerConfig(
    KafkaSettings kafka,
    S3Settings s3,
    ModelCatalog catalog,
    String groupId,
    String groupProtocol,
    int maxInFlight,
    Duration commitInterval,
    RetryPolicy upstreamRetry,
    Duration taskDeadline,
    Duration retention,
    Duration shutdownGrace,
    Duration demoLatency,
    WebhookSettings webhooks,
    String httpHost,
    int httpPort,
    Path spoolDir,
    LogSettings logs) {

  /** Reads and validates; throws {@code ConfigException} naming every bad variable. */
  static WorkerConfig from(Env env) {
    KafkaSettings kafka = KafkaSettings.from(env);
    S3Settings s3 = S3Settings.from(env);
    String groupId = env.string("IMAGEGEN_WORKER_GROUP_ID", "imagegen-workers");
    String protocol = env.string("IMAGEGEN_KAFKA_GROUP_PROTOCOL", "consumer");
    if (!protocol.equals("consumer") && !protocol.equals("classic")) {
      env.problem("IMAGEGEN_KAFKA_GROUP_PROTOCOL must be consumer or classic, got '" + protocol + "'");
    }
    // Jobs wait on the network, not the CPU, so hundreds per worker are cheap.
    int maxInFlight = env.integer("IMAGEGEN_WORKER_MAX_IN_FLIGHT", 256, 1, 100_000);
    // Bounds how much finished work a crash replays; replays are skipped cheaply, so one second is plenty.
    Duration commitInterval = env.duration("IMAGEGEN_COMMIT_INTERVAL", Duration.ofSeconds(1));
    RetryPolicy upstreamRetry = RetryPolicy.from(env, "IMAGEGEN_UPSTREAM",
        new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(30)));
    // Real generations take seconds to minutes; 30 minutes covers slow 4K renders plus retries.
    Duration deadline = env.duration("IMAGEGEN_TASK_DEADLINE", Duration.ofMinutes(30));
    Duration retention = env.duration("IMAGEGEN_RESULT_RETENTION", Duration.ofHours(24));
    Duration grace = env.duration("IMAGEGEN_SHUTDOWN_TIMEOUT", Duration.ofSeconds(30));
    // Long enough to watch QUEUED -> RUNNING -> SUCCEEDED by hand; tests set 0.
    Duration demoLatency = env.durationOrZero("IMAGEGEN_DEMO_LATENCY", Duration.ofSeconds(2));
    String httpHost = env.string("IMAGEGEN_WORKER_HTTP_HOST", "0.0.0.0");
    // 0 picks a free port: several workers in one JVM (the local stack, tests) must not collide.
    int httpPort = env.integer("IMAGEGEN_WORKER_HTTP_PORT", 9090, 0, 65_535);
    // Big vendor answers are decoded to files here until they are stored; a fast local disk (or tmpfs) suits it.
    Path spoolDir = Path.of(env.string("IMAGEGEN_SPOOL_DIR", System.getProperty("java.io.tmpdir")));
    if (!Files.isDirectory(spoolDir) || !Files.isWritable(spoolDir)) {
      env.problem("IMAGEGEN_SPOOL_DIR must be a writable directory, got '" + spoolDir + "'");
    }
    ModelCatalog catalog = null;
    try {
      catalog = ModelCatalog.load(env.raw("IMAGEGEN_MODEL_CATALOG"));
    } catch (RuntimeException e) {
      env.problem("IMAGEGEN_MODEL_CATALOG: " + e.getMessage());
    }
    WebhookSettings webhooks = WebhookSettings.from(env, groupId, protocol);
    LogSettings logs = LogSettings.from(env);
    env.validate();
    return new WorkerConfig(kafka, s3, catalog, groupId, protocol, maxInFlight, commitInterval,
        upstreamRetry, deadline, retention, grace, demoLatency, webhooks, httpHost, httpPort, spoolDir, logs);
  }
}
